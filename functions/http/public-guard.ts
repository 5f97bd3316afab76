// The front door of the unauthenticated endpoints (catalog, quotes, webhooks, the PayPal return
// page): a token bucket per client address, kept in this instance's memory, so each instance
// limits on its own; behind Front Door or API Management their rate rules (keyed by the client
// address they see) are what limit a caller across instances.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { getServices } from '../wiring/services';
import { problemResponse } from './problem';

/**
 * The caller's address as Azure's front end saw it. App Service sets CLIENT-IP (`ip:port`) and
 * overwrites any the caller sent; the first X-Forwarded-For entry may be the caller's own text,
 * so only the last one (added by the nearest proxy) counts when CLIENT-IP is missing.
 */
export function clientAddress(req: HttpRequest): string {
  const given = req.headers.get('client-ip') ?? req.headers.get('x-forwarded-for')?.split(',').pop();
  const first = given?.trim();
  if (!first) return 'unknown';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(first);
  if (bracketed) return bracketed[1];
  // ipv4:port has exactly one colon; a bare IPv6 address has several.
  return first.split(':').length === 2 ? first.split(':')[0] : first;
}

export type PublicLimit = 'api' | 'webhook';

/** undefined when the caller may go on; otherwise the 429 answer. */
export function limitPublic(req: HttpRequest, kind: PublicLimit): HttpResponseInit | undefined {
  const limiter = getServices().publicRateLimiters[kind];
  const decision = limiter.take(clientAddress(req));
  if (decision.allowed) return undefined;
  return problemResponse(
    req,
    { status: 429, type: 'rate-limited', title: 'Too many requests', detail: `Slow down: at most ${limiter.perSecond} requests per second from one address, bursts of ${limiter.burst}.` },
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}

// The front door of every authenticated endpoint: a valid bearer token (401 otherwise, with the
// RFC 6750 challenge), then the caller's rate limit (429 with Retry-After).
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Principal } from '../../adapters/auth/token-verifier';
import { getServices } from '../wiring/services';
import { problemResponse } from './problem';

export type Guarded = { ok: true; principal: Principal; headers: Record<string, string> } | { ok: false; response: HttpResponseInit };

const realm = 'realm="orders"';

export async function guard(req: HttpRequest): Promise<Guarded> {
  const services = getServices();
  const header = req.headers.get('authorization');
  const match = header ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
  if (!match) {
    return {
      ok: false,
      response: problemResponse(req, { status: 401, type: 'unauthenticated', title: 'Authentication required', detail: 'Send a bearer token in the Authorization header.' }, { 'www-authenticate': `Bearer ${realm}` }),
    };
  }
  const verified = await services.verifyToken(match[1]);
  if (!verified.ok) {
    const challenge = `Bearer ${realm}, error="${verified.error}", error_description="${verified.description.replace(/"/g, "'")}"`;
    return { ok: false, response: problemResponse(req, { status: 401, type: 'invalid-token', title: 'The bearer token is not valid', detail: verified.description }, { 'www-authenticate': challenge }) };
  }
  const limiter = services.rateLimiter;
  const decision = limiter.take(verified.principal.customerId);
  const policy = { 'ratelimit-policy': `${limiter.burst};w=${Math.max(1, Math.round(limiter.burst / Math.max(limiter.perSecond, 1e-9)))}` };
  if (!decision.allowed) {
    return {
      ok: false,
      response: problemResponse(
        req,
        { status: 429, type: 'rate-limited', title: 'Too many requests', detail: `Slow down: at most ${limiter.perSecond} requests per second, bursts of ${limiter.burst}.` },
        { 'retry-after': String(decision.retryAfterSeconds), ...policy },
      ),
    };
  }
  return { ok: true, principal: verified.principal, headers: limiter.perSecond > 0 ? policy : {} };
}

export const forbidden = (req: HttpRequest, detail: string): HttpResponseInit =>
  problemResponse(req, { status: 403, type: 'forbidden', title: 'Not allowed', detail });

// RFC 9457 problem details: every error a client sees has a stable `type` URI per error class.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';

const typeBase = 'https://errors.order-backend.dev/';

export interface Problem {
  status: number;
  /** Stable slug, e.g. "validation-failed" → https://errors.order-backend.dev/validation-failed */
  type: string;
  title: string;
  detail?: string;
  [extension: string]: unknown;
}

/** The caller's X-Request-Id (if sane) or a new one; echoed on every response. */
export function requestId(req: HttpRequest): string {
  const given = req.headers.get('x-request-id');
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

export function problemResponse(req: HttpRequest, p: Problem): HttpResponseInit {
  const id = requestId(req);
  const { type, ...rest } = p;
  return {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': id },
    body: JSON.stringify({ type: typeBase + type, ...rest, instance: new URL(req.url).pathname, requestId: id }),
  };
}

export function jsonResponse(req: HttpRequest, status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', 'x-request-id': requestId(req), ...headers }, body: JSON.stringify(body) };
}

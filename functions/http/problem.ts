// RFC 9457 problem details: every error a client sees has a stable `type` URI per error class.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { problemTypeBase as typeBase } from './problem-types';
import type { ProblemType } from './problem-types';


export interface Problem {
  status: number;
  /** Stable slug from the catalog (problem-types.ts), e.g. "validation-failed" → https://errors.order-backend.dev/validation-failed */
  type: ProblemType;
  title: string;
  detail?: string;
  [extension: string]: unknown;
}

const ids = new WeakMap<HttpRequest, string>();

/** The caller's X-Request-Id (if sane) or a new one, the same for the whole request; echoed on every response. */
export function requestId(req: HttpRequest): string {
  let id = ids.get(req);
  if (!id) {
    const given = req.headers.get('x-request-id');
    id = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    ids.set(req, id);
  }
  return id;
}

export function problemResponse(req: HttpRequest, p: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  const id = requestId(req);
  const { type, ...rest } = p;
  return {
    status: p.status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': id, ...headers },
    body: JSON.stringify({ type: typeBase + type, ...rest, instance: new URL(req.url).pathname, requestId: id }),
  };
}

export function jsonResponse(req: HttpRequest, status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', 'x-request-id': requestId(req), ...headers }, body: JSON.stringify(body) };
}

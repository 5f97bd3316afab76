// The Idempotency-Key header of a creating POST: required, 1 to 255 visible ASCII characters.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { IdempotencyClaim } from '../../application/ports';
import { problemResponse, requestId } from './problem';

/** `what` names the thing created, e.g. "new order". */
export function idempotencyKey(req: HttpRequest, what: string): { ok: true; key: string } | { ok: false; response: HttpResponseInit } {
  const key = req.headers.get('idempotency-key');
  if (key === null) {
    return { ok: false, response: problemResponse(req, { status: 400, type: 'idempotency-key-required', title: 'Idempotency-Key header required', detail: `Send a unique Idempotency-Key (e.g. a UUID) with every ${what}, and the same key when retrying it.` }) };
  }
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    return { ok: false, response: problemResponse(req, { status: 400, type: 'idempotency-key-invalid', title: 'Invalid Idempotency-Key', detail: 'The key is 1 to 255 visible ASCII characters.' }) };
  }
  return { ok: true, key };
}

/** The answer for a key this request does not own: a replay, another body, a duplicate in flight. */
export function claimedElsewhere(req: HttpRequest, claim: Exclude<IdempotencyClaim, { kind: 'owner' }>, headers: Record<string, string>, what: string): HttpResponseInit {
  switch (claim.kind) {
    case 'replay':
      return { status: claim.response.status, headers: { ...claim.response.headers, ...headers, 'idempotent-replayed': 'true', 'x-request-id': requestId(req) }, body: claim.response.body };
    case 'mismatch':
      return problemResponse(req, { status: 422, type: 'idempotency-key-reused', title: 'Idempotency-Key already used for another request', detail: `This key was used with a different body. Use a new key for a ${what}.` });
    case 'in-progress':
      return problemResponse(req, { status: 409, type: 'idempotency-key-in-use', title: 'A request with this Idempotency-Key is in progress', detail: 'Retry after the first request has finished.' }, { 'retry-after': String(claim.retryAfterSeconds) });
  }
}

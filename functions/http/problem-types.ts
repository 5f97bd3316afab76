// Every problem type the API answers with, in one place: its slug (the `type` URI is
// https://errors.order-backend.dev/<slug>) and HTTP status. Problem.type accepts only these, so a
// new error class is added here first, and clients can rely on the list.
/** Where the slugs live: a problem's `type` is this base plus its slug. */
export const problemTypeBase = 'https://errors.order-backend.dev/';

export const problemTypes = {
  'validation-failed': 400,
  'malformed-json': 400,
  'invalid-cursor': 400,
  'idempotency-key-required': 400,
  'idempotency-key-invalid': 400,
  'webhook-replayed': 400,
  unauthenticated: 401,
  'invalid-token': 401,
  'invalid-signature': 401,
  'stale-webhook': 401,
  forbidden: 403,
  'email-unverified': 403,
  'email-mismatch': 403,
  'order-not-found': 404,
  'invoice-not-found': 404,
  'dispute-not-found': 404,
  'evidence-pack-not-ready': 404,
  'not-acceptable': 406,
  'idempotency-key-in-use': 409,
  'order-not-cancellable': 409,
  'order-not-refundable': 409,
  'refund-in-progress': 409,
  'order-disputed': 409,
  'dispute-not-actionable': 409,
  'webhook-in-progress': 409,
  'precondition-failed': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'idempotency-key-reused': 422,
  'cart-invalid': 422,
  'refund-invalid': 422,
  'terms-outdated': 422,
  'dispute-action-refused': 422,
  'rate-limited': 429,
  'internal-error': 500,
  'provider-unavailable': 502,
  'service-busy': 503,
} as const;

export type ProblemType = keyof typeof problemTypes;

// PayPal's REST error shape: { name, message, debug_id, details: [{ field, value, location,
// issue, description }], links }. Operations throw PayPalApiError; the router serializes it.
import { randomBytes } from 'node:crypto';

export type PayPalApi = 'orders' | 'payments' | 'disputes';

/** Where PayPal's error links point for each API (disputes are v1, under another name). */
const ERROR_DOCS: Record<PayPalApi, string> = {
  orders: 'https://developer.paypal.com/docs/api/orders/v2/',
  payments: 'https://developer.paypal.com/docs/api/payments/v2/',
  disputes: 'https://developer.paypal.com/docs/api/customer-disputes/v1/',
};

export interface ErrorDetail {
  field?: string;
  value?: string;
  location?: 'body' | 'path' | 'query' | 'header';
  issue: string;
  description: string;
}

export class PayPalApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly api?: PayPalApi,
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    const issue = this.details[0]?.issue;
    const links = this.api && issue
      ? [{ href: `${ERROR_DOCS[this.api]}#error-${issue}`, rel: 'information_link', method: 'GET' }]
      : [{ href: 'https://developer.paypal.com/api/rest/responses/#link-errors', rel: 'information_link', method: 'GET' }];
    return { name: this.errorName, message: this.message, debug_id: newDebugId(), details: this.details, links };
  }
}

/** PayPal's debug ids are 13 lowercase hex characters. */
export function newDebugId(): string {
  return randomBytes(7).toString('hex').slice(0, 13);
}

export function invalidRequest(detail: ErrorDetail, api: PayPalApi): PayPalApiError {
  return new PayPalApiError(400, 'INVALID_REQUEST', 'Request is not well-formed, syntactically incorrect, or violates schema.', [{ location: 'body', ...detail }], api);
}

export function unprocessable(issue: string, description: string, api: PayPalApi, field?: Omit<ErrorDetail, 'issue' | 'description'>): PayPalApiError {
  return new PayPalApiError(
    422,
    'UNPROCESSABLE_ENTITY',
    'The requested action could not be performed, semantically incorrect, or failed business validation.',
    [{ ...field, issue, description }],
    api,
  );
}

export function notFound(id: string, api: PayPalApi): PayPalApiError {
  return new PayPalApiError(
    404,
    'RESOURCE_NOT_FOUND',
    'The specified resource does not exist.',
    [{ field: 'id', value: id, location: 'path', issue: 'INVALID_RESOURCE_ID', description: 'Specified resource ID does not exist. Please check the resource ID and try again.' }],
    api,
  );
}

export function authenticationFailure(): PayPalApiError {
  return new PayPalApiError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed due to invalid authentication credentials or a missing Authorization header.');
}

/**
 * What PayPal answers for a bearer token it does not know (expired, revoked, made up): the OAuth
 * error shape, not the REST one (as reported from live v2 calls, e.g. paypal/Checkout-Java-SDK#24).
 */
export const INVALID_TOKEN_BODY = { error: 'invalid_token', error_description: 'Access Token not found in cache' } as const;

/** 403 for a caller whose credentials lack the permission (PayPal's error_403 with issue PERMISSION_DENIED). */
export function notAuthorized(api: PayPalApi): PayPalApiError {
  return new PayPalApiError(403, 'NOT_AUTHORIZED', 'Authorization failed due to insufficient permissions.', [
    { issue: 'PERMISSION_DENIED', description: 'You do not have permission to access or perform operations on this resource.' },
  ], api);
}

export function internalServerError(): PayPalApiError {
  return new PayPalApiError(500, 'INTERNAL_SERVER_ERROR', 'An internal server error has occurred.', [
    { issue: 'INTERNAL_SERVICE_ERROR', description: 'An internal service error has occurred.' },
  ]);
}

export function serviceUnavailable(): PayPalApiError {
  return new PayPalApiError(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable.', [
    { issue: 'SERVICE_UNAVAILABLE', description: 'The service is temporarily unavailable. Please retry the request.' },
  ]);
}

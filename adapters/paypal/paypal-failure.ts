// Turns what the PayPal SDK throws into the saga's outcomes: 'declined' (final, tell the customer),
// 'unavailable' (retry later with the same PayPal-Request-Id) or 'unauthorized' (PayPal refused our
// credentials: an operator's problem, not the buyer's).
import { ApiError, ArgumentsValidationError } from '@paypal/paypal-server-sdk';
import type { PaymentFailure } from '../../application/ports';

interface PayPalErrorBody {
  name?: string;
  message?: string;
  details?: { issue?: string; description?: string }[];
  /** OAuth endpoint errors use this shape instead. */
  error?: string;
  error_description?: string;
}

/** Rethrows programming errors (bad arguments to the SDK); everything else becomes a failure. */
export function toPaymentFailure(err: unknown): PaymentFailure {
  if (err instanceof ArgumentsValidationError) throw err;
  if (!(err instanceof ApiError)) {
    // Timeouts, refused connections, aborted calls, unparseable responses.
    return { kind: 'unavailable', reason: `PayPal unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
  const body = parseBody(err);
  const reason = describe(err.statusCode, body);
  const status = err.statusCode;
  if (status >= 500 || status === 429 || status === 408 || status === 409) return { kind: 'unavailable', reason };
  // Bad credentials or permissions are our configuration problem, not the buyer's: declining
  // would cancel customers' orders for something an operator fixes. Its own kind, so the saga can
  // hold the order and alert instead of treating it as an outage.
  if (status === 401 || status === 403) return { kind: 'unauthorized', reason: `PayPal refused our credentials: ${reason}` };
  return { kind: 'declined', reason };
}

/** The first detail's issue (e.g. INSTRUMENT_DECLINED), the most specific thing PayPal says. */
export function payPalIssue(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const body = parseBody(err);
  return body.details?.[0]?.issue ?? body.error ?? body.name;
}

function parseBody(err: ApiError): PayPalErrorBody {
  if (err.result && typeof err.result === 'object') return err.result as PayPalErrorBody;
  if (typeof err.body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(err.body);
    return parsed && typeof parsed === 'object' ? (parsed as PayPalErrorBody) : {};
  } catch {
    return {};
  }
}

function describe(status: number, body: PayPalErrorBody): string {
  const issue = body.details?.[0]?.issue;
  const name = body.name ?? body.error ?? 'HTTP_ERROR';
  const text = body.details?.[0]?.description ?? body.message ?? body.error_description ?? '';
  return `${status} ${name}${issue ? `/${issue}` : ''}${text ? `: ${text}` : ''}`;
}

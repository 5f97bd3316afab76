// PayPal's authorization life cycle: an authorization is honoured (funds guaranteed) for 3 days
// and can be captured until it expires at 29; once, between the two, it can be reauthorized for
// a new honour period. Before capturing, the saga asks which step is due.
export interface AuthorizationDates {
  /** PayPal's create_time of the authorization to capture (the reauthorization, once made). */
  createdAt?: string;
  /** PayPal's expiration_time: no capture is possible from then on. */
  expiresAt?: string;
  /** Reauthorized already: PayPal allows it once. */
  reauthorized: boolean;
}

export type CaptureStep = 'capture' | 'reauthorize' | 'expired';

/**
 * 'expired' from the expiration time on (never attempt the capture); 'reauthorize' once the
 * honour period is over and no reauthorization was made; otherwise 'capture'. Unknown dates (an
 * authorization recorded before they were) mean 'capture', and PayPal's answer decides.
 */
export function captureStep(auth: AuthorizationDates, nowMs: number, honorSeconds: number): CaptureStep {
  const expires = auth.expiresAt ? Date.parse(auth.expiresAt) : NaN;
  if (Number.isFinite(expires) && nowMs >= expires) return 'expired';
  const created = auth.createdAt ? Date.parse(auth.createdAt) : NaN;
  if (!auth.reauthorized && Number.isFinite(created) && nowMs >= created + honorSeconds * 1000) return 'reauthorize';
  return 'capture';
}

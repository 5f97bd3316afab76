// The carrier's signed tracking push (our design, served by runtime/simulators/carrier; see
// docs/carrier-simulator.md): its schema, and the signature over a timestamp plus the raw body.
// Signing the timestamp is what makes a captured push useless later: the receiver refuses any push
// dated outside its tolerance window, and the timestamp cannot be changed without the secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const carrierSignatureHeader = 'x-dhl-signature';
export const carrierTimestampHeader = 'x-dhl-timestamp';
/** How far a push's timestamp may be from our clock, either way (clock skew plus delivery time). */
export const defaultCarrierWebhookToleranceSeconds = 300;

export const carrierTrackingEventSchema = z.object({
  shipmentTrackingNumber: z.string().min(1),
  /** Our order id (the shipment's first customer reference). */
  reference: z.string(),
  event: z.object({
    /** DHL event code: PU picked up, PL processed at facility, OK delivered, ... */
    typeCode: z.string().min(1),
    description: z.string(),
    timestamp: z.iso.datetime({ offset: true }),
  }),
  status: z.enum(['picked-up', 'in-transit', 'delivered']),
});

export type CarrierTrackingEvent = z.infer<typeof carrierTrackingEventSchema>;

export type CarrierWebhookVerdict = 'ok' | 'invalid-signature' | 'stale';

function hmac(secret: string, timestamp: string, rawBody: Buffer | string): Buffer {
  // The exact bytes received: a Buffer is hashed as is, never round-tripped through a string.
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody).digest();
}

/** The headers of one push attempt: `x-dhl-timestamp` (unix seconds) and `x-dhl-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export function signCarrierWebhook(rawBody: Buffer | string, secret: string, nowMs: number): { 'x-dhl-timestamp': string; 'x-dhl-signature': string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { 'x-dhl-timestamp': timestamp, 'x-dhl-signature': `sha256=${hmac(secret, timestamp, rawBody).toString('hex')}` };
}

/**
 * Verifies a push: the signature must match one of `secrets` (the current one and, during a
 * rotation, the previous one; empty ones never match), and only then is its timestamp checked
 * against `nowMs`, so 'stale' is never said of a forgery. Missing or malformed headers are
 * 'invalid-signature'.
 */
export function verifyCarrierWebhook(input: {
  rawBody: Buffer | string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  secrets: readonly (string | undefined)[];
  nowMs: number;
  /** Default 300 s. */
  toleranceSeconds?: number;
}): CarrierWebhookVerdict {
  // Fail closed when called the old way, verifyCarrierWebhook(raw, signature, secrets), from code
  // not yet migrated: every verdict is a non-empty string, so `!verify(...)` would accept anything.
  if (typeof input !== 'object' || input === null || Buffer.isBuffer(input)) throw new TypeError('verifyCarrierWebhook takes one options object');
  const sig = /^sha256=([0-9a-f]{64})$/i.exec(input.signature?.trim() ?? '');
  const timestamp = input.timestamp?.trim() ?? '';
  // Plain unix seconds only: "1e9", "0x…" or a leading "+" would sign as a different string.
  if (!sig || !/^[0-9]{1,12}$/.test(timestamp)) return 'invalid-signature';
  const given = Buffer.from(sig[1], 'hex');
  let valid = false;
  // Every secret is checked (no early exit), so the time taken does not tell which one matched.
  for (const secret of input.secrets) {
    if (secret && timingSafeEqual(given, hmac(secret, timestamp, input.rawBody))) valid = true;
  }
  if (!valid) return 'invalid-signature';
  const tolerance = input.toleranceSeconds ?? defaultCarrierWebhookToleranceSeconds;
  return Math.abs(input.nowMs / 1000 - Number(timestamp)) > tolerance ? 'stale' : 'ok';
}

// The signature on each tracking push (docs in this package's README): `x-dhl-timestamp` (unix
// seconds) and `x-dhl-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, so a
// receiver can refuse a captured push replayed outside its time window.
import { createHmac } from 'node:crypto';

export function signTrackingPush(rawBody: string, secret: string, nowMs: number): { 'x-dhl-timestamp': string; 'x-dhl-signature': string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(Buffer.from(rawBody, 'utf8')).digest('hex');
  return { 'x-dhl-timestamp': timestamp, 'x-dhl-signature': `sha256=${mac}` };
}

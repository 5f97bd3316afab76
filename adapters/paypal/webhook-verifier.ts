// PayPal's offline webhook verification: the sender signs
// `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody)}` with RSA-SHA256 and
// names its certificate in `paypal-cert-url`. We only fetch certificates from allowed origins
// (otherwise anyone could sign with their own key) and cache them per URL.
import { createVerify, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface VerifyPayPalWebhookInput {
  /** Request headers; names are matched case-insensitively. */
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: re-serialized JSON would change the CRC. */
  rawBody: Buffer | string;
  /** The id PayPal assigned to our webhook subscription. */
  webhookId: string;
  /** e.g. ['https://api.paypal.com', 'https://api.sandbox.paypal.com']. */
  allowedCertOrigins: readonly string[];
  /** Downloads the PEM behind a cert URL; defaults to fetch(). */
  fetchCert?: (url: string) => Promise<string>;
  /** For certificate validity checks; defaults to Date.now(). */
  now?: () => number;
}

const certCache = new Map<string, Promise<X509Certificate>>();

export async function verifyPayPalWebhook(input: VerifyPayPalWebhookInput): Promise<boolean> {
  const header = (name: string) => headerValue(input.headers, name);
  const transmissionId = header('paypal-transmission-id');
  const transmissionTime = header('paypal-transmission-time');
  const signature = header('paypal-transmission-sig');
  const certUrl = header('paypal-cert-url');
  const algorithm = header('paypal-auth-algo');
  if (!transmissionId || !transmissionTime || !signature || !certUrl || algorithm !== 'SHA256withRSA') return false;
  if (!isAllowedOrigin(certUrl, input.allowedCertOrigins)) return false;

  let key: KeyObject;
  try {
    const cert = await certificateFor(certUrl, input.fetchCert ?? defaultFetchCert);
    const t = (input.now ?? Date.now)();
    // Checked on every use, because cached certificates expire too.
    if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) return false;
    key = cert.publicKey;
  } catch {
    return false;
  }
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  // zlib.crc32 returns the unsigned value, which is what PayPal signs.
  const message = `${transmissionId}|${transmissionTime}|${input.webhookId}|${crc32(body)}`;
  return createVerify('RSA-SHA256').update(message).verify(key, signature, 'base64');
}

function headerValue(headers: VerifyPayPalWebhookInput['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function isAllowedOrigin(certUrl: string, allowed: readonly string[]): boolean {
  try {
    const origin = new URL(certUrl).origin;
    return allowed.some((a) => new URL(a).origin === origin);
  } catch {
    return false;
  }
}

function certificateFor(certUrl: string, fetchCert: (url: string) => Promise<string>): Promise<X509Certificate> {
  let pending = certCache.get(certUrl);
  if (!pending) {
    pending = fetchCert(certUrl).then((pem) => new X509Certificate(pem));
    // A failed download must not poison the cache: the next webhook tries again.
    pending.catch(() => certCache.delete(certUrl));
    certCache.set(certUrl, pending);
  }
  return pending;
}

async function defaultFetchCert(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.text();
}

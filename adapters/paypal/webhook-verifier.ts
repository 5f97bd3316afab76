// PayPal's offline webhook verification: the sender signs
// `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(rawBody)}` with RSA-SHA256 and
// names its certificate in `paypal-cert-url`. Certificates come only from allowed origins
// (otherwise anyone could sign with their own key) and only from a certificate path, and are
// cached per certificate, a bounded number of them. The transmission time must be recent: a
// captured delivery cannot be replayed later, and since CRC-32 is no cryptographic hash, the time
// window and the receiver's one-use transmission ids are what keep a re-bodied copy out.
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
  /** e.g. ['https://api.paypal.com'] in production. */
  allowedCertOrigins: readonly string[];
  /** How far the transmission time may be from now, either way (default 300 s). */
  toleranceSeconds?: number;
  /** Downloads the PEM behind a cert URL; defaults to fetch(). */
  fetchCert?: (url: string) => Promise<string>;
  /** For certificate validity and the time window; defaults to Date.now(). */
  now?: () => number;
}

export type PayPalWebhookVerdict = { ok: true; transmissionId: string } | { ok: false; reason: 'invalid-signature' | 'stale' };

/** PayPal's own signing-certificate origins: the sandbox one only for a sandbox integration. */
export const payPalCertOrigins = { production: ['https://api.paypal.com'], sandbox: ['https://api.sandbox.paypal.com'] } as const;

const maxCachedCertificates = 16;
const certCache = new Map<string, Promise<X509Certificate>>();

export async function verifyPayPalWebhook(input: VerifyPayPalWebhookInput): Promise<PayPalWebhookVerdict> {
  const header = (name: string) => headerValue(input.headers, name);
  const transmissionId = header('paypal-transmission-id');
  const transmissionTime = header('paypal-transmission-time');
  const signature = header('paypal-transmission-sig');
  const certUrl = header('paypal-cert-url');
  const algorithm = header('paypal-auth-algo');
  const invalid = { ok: false, reason: 'invalid-signature' } as const;
  if (!transmissionId || !transmissionTime || !signature || !certUrl || algorithm !== 'SHA256withRSA') return invalid;
  if (transmissionId.length > 128 || signature.length > 2048) return invalid;
  const certKey = certificateKey(certUrl, input.allowedCertOrigins);
  if (!certKey) return invalid;

  const t = (input.now ?? Date.now)();
  let key: KeyObject;
  try {
    const cert = await certificateFor(certKey, input.fetchCert ?? defaultFetchCert);
    // Checked on every use, because cached certificates expire too.
    if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) return invalid;
    key = cert.publicKey;
  } catch {
    return invalid;
  }
  const body = typeof input.rawBody === 'string' ? Buffer.from(input.rawBody, 'utf8') : input.rawBody;
  // zlib.crc32 returns the unsigned value, which is what PayPal signs.
  const message = `${transmissionId}|${transmissionTime}|${input.webhookId}|${crc32(body)}`;
  if (!createVerify('RSA-SHA256').update(message).verify(key, signature, 'base64')) return invalid;
  // Only a genuine signature is judged on its age, so "stale" never describes a forgery.
  const sent = Date.parse(transmissionTime);
  const tolerance = (input.toleranceSeconds ?? 300) * 1000;
  if (!Number.isFinite(sent) || Math.abs(t - sent) > tolerance) return { ok: false, reason: 'stale' };
  return { ok: true, transmissionId };
}

function headerValue(headers: VerifyPayPalWebhookInput['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * The certificate's identity (origin and path) when the URL names a signing certificate on an
 * allowed origin: https, no credentials, query or fragment, a `/certs/CERT-…` path. Anything else
 * could make each webhook fetch, and cache, a URL of the sender's choosing.
 */
function certificateKey(certUrl: string, allowed: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(certUrl);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) return undefined;
  if (!/\/certs\/CERT-[A-Za-z0-9-]{1,128}(\.pem)?$/.test(url.pathname)) return undefined;
  if (!allowed.some((a) => safeOrigin(a) === url.origin)) return undefined;
  return `${url.origin}${url.pathname}`;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function certificateFor(certKey: string, fetchCert: (url: string) => Promise<string>): Promise<X509Certificate> {
  let pending = certCache.get(certKey);
  if (pending) {
    // Most recently used last, so the bound evicts the certificate unused the longest.
    certCache.delete(certKey);
  } else {
    pending = fetchCert(certKey).then((pem) => new X509Certificate(pem));
    // A failed download must not poison the cache: the next webhook tries again.
    pending.catch(() => {
      if (certCache.get(certKey) === pending) certCache.delete(certKey);
    });
  }
  certCache.set(certKey, pending);
  while (certCache.size > maxCachedCertificates) certCache.delete(certCache.keys().next().value!);
  return pending;
}

/** How many certificates are cached (for tests). */
export const cachedCertificateCount = (): number => certCache.size;

async function defaultFetchCert(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const text = await res.text();
  if (text.length > 64 * 1024) throw new Error(`${url} is no certificate`);
  return text;
}

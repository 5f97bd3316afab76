// Shared Access Signature tokens as Service Bus checks them on a CBS put-token:
// `SharedAccessSignature sr=<url-encoded audience>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry s>&skn=<key name>`,
// signed over `<url-encoded audience>\n<expiry>` with the key's text as the HMAC key.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasCheck = { ok: true; audience: string } | { ok: false; reason: string };

export function verifySasToken(token: string, keyName: string, key: string, nowMs: number): SasCheck {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return { ok: false, reason: 'InvalidSignature: the token is not a SharedAccessSignature token.' };
  const fields = new Map<string, string>();
  for (const part of token.slice(prefix.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (!sr || !sig || !se || !skn) return { ok: false, reason: 'InvalidSignature: the token must have sr, sig, se and skn fields.' };
  if (safeDecode(skn) !== keyName) return { ok: false, reason: `InvalidSignature: the token is signed with key '${safeDecode(skn)}', which is not a key of this namespace.` };
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(safeDecode(sig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'InvalidSignature: The token has an invalid signature.' };
  if (!/^\d+$/.test(se) || Number(se) * 1000 <= nowMs) return { ok: false, reason: 'ExpiredToken: The token is expired.' };
  return { ok: true, audience: safeDecode(sr) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

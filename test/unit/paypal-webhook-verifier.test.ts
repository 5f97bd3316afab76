import { createPublicKey, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { cachedCertificateCount, verifyPayPalWebhook } from '../../adapters/paypal/webhook-verifier';
import { selfSignedCertificate } from 'azure-standin';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = Date.parse('2026-12-03T12:00:00Z');
const pem = selfSignedCertificate({ privateKey, publicKey: createPublicKey(privateKey), commonName: 'test', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000) });
const webhookId = 'WH-1';
const origin = 'https://api.paypal.com';

function delivery(body: string, o: { time?: string; certUrl?: string } = {}) {
  const id = randomUUID();
  const time = o.time ?? new Date(now).toISOString();
  const sig = createSign('RSA-SHA256').update(`${id}|${time}|${webhookId}|${crc32(Buffer.from(body))}`).sign(privateKey, 'base64');
  return {
    'paypal-transmission-id': id,
    'paypal-transmission-time': time,
    'paypal-transmission-sig': sig,
    'paypal-cert-url': o.certUrl ?? `${origin}/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77`,
    'paypal-auth-algo': 'SHA256withRSA',
  };
}

function verify(headers: Record<string, string>, body: string, fetched: string[] = [], allowedCertOrigins: readonly string[] = [origin]) {
  return verifyPayPalWebhook({
    headers,
    rawBody: Buffer.from(body),
    webhookId,
    allowedCertOrigins,
    now: () => now,
    fetchCert: async (url) => {
      fetched.push(url);
      return pem;
    },
  });
}

const body = '{"id":"WH-EVT-1","event_type":"CHECKOUT.ORDER.APPROVED"}';

test('a fresh, genuine delivery is accepted and names its transmission id', async () => {
  const h = delivery(body);
  expect(await verify(h, body)).toEqual({ ok: true, transmissionId: h['paypal-transmission-id'] });
});

test('a genuine delivery older or newer than five minutes is stale; a forged one is never called stale', async () => {
  expect(await verify(delivery(body, { time: new Date(now - 301_000).toISOString() }), body)).toEqual({ ok: false, reason: 'stale' });
  expect(await verify(delivery(body, { time: new Date(now + 301_000).toISOString() }), body)).toEqual({ ok: false, reason: 'stale' });
  expect(await verify(delivery(body, { time: new Date(now - 299_000).toISOString() }), body)).toMatchObject({ ok: true });
  const old = delivery(body, { time: new Date(now - 3_600_000).toISOString() });
  expect(await verify(old, body.replace('APPROVED', 'VOIDED'))).toEqual({ ok: false, reason: 'invalid-signature' });
});

test('the sandbox certificate origin counts only where it is allowed (a sandbox integration)', async () => {
  const h = delivery(body, { certUrl: 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1' });
  expect(await verify(h, body, [], ['https://api.paypal.com'])).toEqual({ ok: false, reason: 'invalid-signature' });
  expect(await verify(h, body, [], ['https://api.sandbox.paypal.com'])).toMatchObject({ ok: true });
});

test.each([
  ['a query string', `${origin}/v1/notifications/certs/CERT-1?x=1`],
  ['a fragment', `${origin}/v1/notifications/certs/CERT-1#x`],
  ['credentials', 'https://user:pw@api.paypal.com/v1/notifications/certs/CERT-1'],
  ['a path that is no certificate', `${origin}/v1/oauth2/token`],
  ['plain http', 'http://api.paypal.com/v1/notifications/certs/CERT-1'],
  ['another origin', 'https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1'],
])('a certificate URL with %s is refused without being fetched', async (_what, certUrl) => {
  const fetched: string[] = [];
  expect(await verify(delivery(body, { certUrl }), body, fetched)).toEqual({ ok: false, reason: 'invalid-signature' });
  expect(fetched).toEqual([]);
});

test('certificates are cached per certificate, not per spelling of its URL, and the cache is bounded', async () => {
  const fetched: string[] = [];
  await verify(delivery(body, { certUrl: `${origin}/v1/notifications/certs/CERT-same` }), body, fetched);
  await verify(delivery(body, { certUrl: 'https://API.PAYPAL.COM:443/v1/notifications/certs/CERT-same' }), body, fetched);
  expect(fetched).toEqual([`${origin}/v1/notifications/certs/CERT-same`]);
  for (let i = 0; i < 100; i++) await verify(delivery(body, { certUrl: `${origin}/v1/notifications/certs/CERT-many-${i}` }), body);
  expect(cachedCertificateCount()).toBeLessThanOrEqual(16);
});

// The carrier webhook signature: HMAC-SHA256 over "<timestamp>.<raw body>", checked against the
// current secret and, during a rotation, the previous one; pushes dated outside the tolerance
// window are stale, so a captured push cannot be replayed later. Unresolved Key Vault references
// are never secrets.
import { createHmac } from 'node:crypto';
import { signCarrierWebhook, verifyCarrierWebhook } from '../../adapters/carrier/dhl-carrier-gateway';
import { carrierWebhookSecrets, settingsSchema } from '../../functions/wiring/settings';

const body = JSON.stringify({ shipmentTrackingNumber: '1234567890', reference: 'ord_x', event: { typeCode: 'OK' } });
const current = 'current-secret-0123456789';
const previous = 'previous-secret-0123456789';
const sentAt = Date.parse('2026-03-01T12:00:00Z');

/** Verifies headers as our webhook does, `afterMs` after they were made. */
function verify(headers: { 'x-dhl-timestamp'?: string | null; 'x-dhl-signature'?: string | null }, options: { rawBody?: Buffer | string; secrets?: (string | undefined)[]; afterMs?: number; toleranceSeconds?: number } = {}) {
  return verifyCarrierWebhook({
    rawBody: options.rawBody ?? body,
    signature: headers['x-dhl-signature'] ?? null,
    timestamp: headers['x-dhl-timestamp'] ?? null,
    secrets: options.secrets ?? [current, previous],
    nowMs: sentAt + (options.afterMs ?? 1000),
    toleranceSeconds: options.toleranceSeconds ?? 300,
  });
}

test('a fresh push signed with the current secret is ok: timestamp header in unix seconds, signature over "<timestamp>.<body>"', () => {
  const headers = signCarrierWebhook(body, current, sentAt);
  expect(headers['x-dhl-timestamp']).toBe(String(sentAt / 1000));
  expect(headers['x-dhl-signature']).toBe(`sha256=${createHmac('sha256', current).update(`${sentAt / 1000}.${body}`).digest('hex')}`);
  expect(verify(headers)).toBe('ok');
  expect(verify(headers, { secrets: [current] })).toBe('ok');
  // Hex digits in either case are the same signature.
  expect(verify({ ...headers, 'x-dhl-signature': headers['x-dhl-signature'].replace(/[a-f]/g, (c) => c.toUpperCase()) })).toBe('ok');
});

test('during a rotation a push signed with the previous secret is ok; once it is no longer configured, it is refused', () => {
  const headers = signCarrierWebhook(body, previous, sentAt);
  expect(verify(headers, { secrets: [current, previous] })).toBe('ok');
  expect(verify(headers, { secrets: [current] })).toBe('invalid-signature');
  expect(verify(headers, { secrets: [current, undefined] })).toBe('invalid-signature');
});

test('a push signed with a secret we do not hold is an invalid signature, never "stale", however old', () => {
  expect(verify(signCarrierWebhook(body, 'someone-else-0123456789', sentAt))).toBe('invalid-signature');
  expect(verify(signCarrierWebhook(body, 'someone-else-0123456789', sentAt), { afterMs: 86_400_000 })).toBe('invalid-signature');
});

test('a push older than the tolerance is stale; up to the tolerance it is ok', () => {
  const headers = signCarrierWebhook(body, current, sentAt);
  expect(verify(headers, { afterMs: 300_000 })).toBe('ok');
  expect(verify(headers, { afterMs: 301_000 })).toBe('stale');
  expect(verify(headers, { afterMs: 10_000, toleranceSeconds: 5 })).toBe('stale');
  // The default window is 300 s.
  expect(verifyCarrierWebhook({ rawBody: body, signature: headers['x-dhl-signature'], timestamp: headers['x-dhl-timestamp'], secrets: [current], nowMs: sentAt + 299_000 })).toBe('ok');
  expect(verifyCarrierWebhook({ rawBody: body, signature: headers['x-dhl-signature'], timestamp: headers['x-dhl-timestamp'], secrets: [current], nowMs: sentAt + 301_000 })).toBe('stale');
});

test('a push dated too far in the future is stale as well: the window holds both ways', () => {
  const headers = signCarrierWebhook(body, current, sentAt);
  expect(verify(headers, { afterMs: -300_000 })).toBe('ok');
  expect(verify(headers, { afterMs: -301_000 })).toBe('stale');
});

test('a captured push replayed later is refused: as captured it is stale, re-dated its signature no longer matches', () => {
  const captured = signCarrierWebhook(body, current, sentAt);
  expect(verify(captured)).toBe('ok');
  const anHourLater = 3_600_000;
  expect(verify(captured, { afterMs: anHourLater })).toBe('stale');
  // The attacker cannot sign, so a fresh timestamp comes with the old signature.
  expect(verify({ ...captured, 'x-dhl-timestamp': String((sentAt + anHourLater) / 1000) }, { afterMs: anHourLater })).toBe('invalid-signature');
});

test('missing or malformed headers are an invalid signature', () => {
  const good = signCarrierWebhook(body, current, sentAt);
  const t = good['x-dhl-timestamp'];
  const s = good['x-dhl-signature'];
  expect(verify({ 'x-dhl-timestamp': t, 'x-dhl-signature': null })).toBe('invalid-signature');
  expect(verify({ 'x-dhl-timestamp': null, 'x-dhl-signature': s })).toBe('invalid-signature');
  expect(verify({})).toBe('invalid-signature');
  for (const signature of ['sha256=00', s.slice('sha256='.length), `sha1=${s.slice('sha256='.length)}`, `${s}00`, 'sha256=' + 'z'.repeat(64), '']) {
    expect(verify({ 'x-dhl-timestamp': t, 'x-dhl-signature': signature })).toBe('invalid-signature');
  }
  // Anything but plain unix seconds, even a value that parses to the same number.
  for (const timestamp of ['', 'now', `${t}.5`, `+${t}`, `${Number(t) / 1e9}e9`, new Date(sentAt).toISOString(), '-1', String(sentAt)]) {
    expect(verify({ 'x-dhl-timestamp': timestamp, 'x-dhl-signature': s })).toBe('invalid-signature');
  }
});

test('a changed body does not verify, byte for byte', () => {
  const headers = signCarrierWebhook(body, current, sentAt);
  expect(verify(headers, { rawBody: `${body} ` })).toBe('invalid-signature');
  expect(verify(headers, { rawBody: body.replace('"OK"', '"PL"') })).toBe('invalid-signature');
  expect(verify(headers, { rawBody: Buffer.from(body, 'utf8') })).toBe('ok');
  // Bytes that are not UTF-8 are hashed as received, not after a lossy decode.
  const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  const signed = signCarrierWebhook(binary, current, sentAt);
  expect(verify(signed, { rawBody: binary })).toBe('ok');
  expect(verify(signed, { rawBody: binary.toString('utf8') })).toBe('invalid-signature');
});

test('empty secrets never match, not even a signature made with the empty string', () => {
  const headers = signCarrierWebhook(body, '', sentAt);
  expect(verify(headers, { secrets: ['', ''] })).toBe('invalid-signature');
  expect(verify(headers, { secrets: [] })).toBe('invalid-signature');
});

test('called the old way (raw body, signature, secrets) it throws instead of returning a verdict that reads as true', () => {
  const legacy = verifyCarrierWebhook as unknown as (...args: unknown[]) => unknown;
  expect(() => legacy(body, signCarrierWebhook(body, current, sentAt)['x-dhl-signature'], [current])).toThrow(TypeError);
});

test('the secrets in use: current, plus previous when set; an unresolved Key Vault reference is never one', () => {
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: undefined })).toEqual([current]);
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: previous })).toEqual([current, previous]);
  // App Service leaves a reference it cannot resolve (e.g. the secret was deleted after a rotation) as its text.
  const unresolved = '@Microsoft.KeyVault(VaultName=kv-orders-dev-abc;SecretName=carrier-webhook-secret-previous)';
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: unresolved })).toEqual([current]);
  expect(verify(signCarrierWebhook(body, unresolved, sentAt), { secrets: carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: unresolved }) })).toBe('invalid-signature');
});

test('the previous secret is optional, but at least 16 characters when set', () => {
  const shape = settingsSchema.pick({ CARRIER_WEBHOOK_SECRET: true, CARRIER_WEBHOOK_SECRET_PREVIOUS: true });
  expect(shape.parse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: '' })).toEqual({ CARRIER_WEBHOOK_SECRET: current });
  expect(shape.parse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: previous }).CARRIER_WEBHOOK_SECRET_PREVIOUS).toBe(previous);
  expect(shape.safeParse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: 'short' }).success).toBe(false);
});

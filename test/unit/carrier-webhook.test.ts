// The carrier webhook signature: HMAC-SHA256 of the raw body, checked against the current secret
// and, during a rotation, the previous one; unresolved Key Vault references are never secrets.
import { createHmac } from 'node:crypto';
import { verifyCarrierWebhook } from '../../adapters/carrier/dhl-carrier-gateway';
import { carrierWebhookSecrets, settingsSchema } from '../../functions/wiring/settings';

const body = JSON.stringify({ shipmentTrackingNumber: '1234567890', reference: 'ord_x', event: { typeCode: 'OK' } });
const sign = (secret: string, b = body) => `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;
const current = 'current-secret-0123456789';
const previous = 'previous-secret-0123456789';

test('a push signed with the current or, during a rotation, the previous secret is accepted', () => {
  expect(verifyCarrierWebhook(body, sign(current), [current, previous])).toBe(true);
  expect(verifyCarrierWebhook(body, sign(previous), [current, previous])).toBe(true);
  expect(verifyCarrierWebhook(body, sign(current).toUpperCase().replace('SHA256=', 'sha256='), [current])).toBe(true);
});

test('without the previous secret configured, its signatures are refused', () => {
  expect(verifyCarrierWebhook(body, sign(previous), [current])).toBe(false);
  expect(verifyCarrierWebhook(body, sign(previous), [current, undefined])).toBe(false);
  expect(verifyCarrierWebhook(body, sign(previous), current)).toBe(false);
});

test('wrong secrets, altered bodies, malformed or missing headers and empty secrets are refused', () => {
  expect(verifyCarrierWebhook(body, sign('someone-else-0123456789'), [current, previous])).toBe(false);
  expect(verifyCarrierWebhook(`${body} `, sign(current), [current, previous])).toBe(false);
  expect(verifyCarrierWebhook(body, 'sha256=00', [current])).toBe(false);
  expect(verifyCarrierWebhook(body, null, [current])).toBe(false);
  expect(verifyCarrierWebhook(body, sign(''), ['', ''])).toBe(false);
  expect(verifyCarrierWebhook(body, sign(''), [])).toBe(false);
});

test('the secrets in use: current, plus previous when set; an unresolved Key Vault reference is never one', () => {
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: undefined })).toEqual([current]);
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: previous })).toEqual([current, previous]);
  // App Service leaves a reference it cannot resolve (e.g. the secret was deleted after a rotation) as its text.
  const unresolved = '@Microsoft.KeyVault(VaultName=kv-orders-dev-abc;SecretName=carrier-webhook-secret-previous)';
  expect(carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: unresolved })).toEqual([current]);
  expect(verifyCarrierWebhook(body, sign(unresolved), carrierWebhookSecrets({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: unresolved }))).toBe(false);
});

test('the previous secret is optional, but at least 16 characters when set', () => {
  const shape = settingsSchema.pick({ CARRIER_WEBHOOK_SECRET: true, CARRIER_WEBHOOK_SECRET_PREVIOUS: true });
  expect(shape.parse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: '' })).toEqual({ CARRIER_WEBHOOK_SECRET: current });
  expect(shape.parse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: previous }).CARRIER_WEBHOOK_SECRET_PREVIOUS).toBe(previous);
  expect(shape.safeParse({ CARRIER_WEBHOOK_SECRET: current, CARRIER_WEBHOOK_SECRET_PREVIOUS: 'short' }).success).toBe(false);
});

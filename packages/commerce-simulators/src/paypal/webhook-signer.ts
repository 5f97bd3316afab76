// Signs webhook deliveries the way PayPal does: RSA-SHA256 over
// `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(body)}`, with the certificate served
// at the paypal-cert-url. Key and certificate live in SQLite so certificate URLs stay valid (and
// receivers' cached certificates stay right) across restarts.
import { createHash, createPrivateKey, createPublicKey, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { PayPalStore } from './paypal-store';
import { selfSignedCertificate } from 'azure-standin';

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export class WebhookSigner {
  private readonly privateKey: KeyObject;
  readonly certificatePem: string;
  /** The name in `${apiBase}/certs/<name>.pem`. */
  readonly certName: string;

  constructor(store: PayPalStore, private readonly webhookId: string, private readonly certBaseUrl: string, now: () => number) {
    let keyPem = store.getMeta('webhook_private_key');
    let certPem = store.getMeta('webhook_certificate');
    if (!keyPem || !certPem) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      certPem = selfSignedCertificate({
        privateKey,
        publicKey: createPublicKey(privateKey),
        commonName: 'messageverificationcerts.sandbox.paypal.com (simulator)',
        notBefore: new Date(now() - 24 * 3600 * 1000),
        notAfter: new Date(now() + TEN_YEARS_MS),
      });
      store.setMeta('webhook_private_key', keyPem);
      store.setMeta('webhook_certificate', certPem);
    }
    this.privateKey = createPrivateKey(keyPem);
    this.certificatePem = certPem;
    // Named after the certificate's hash, like PayPal's CERT-<hex> names, so a new key gets a new URL.
    this.certName = `CERT-${createHash('sha256').update(certPem).digest('hex').slice(0, 32)}`;
  }

  get certUrl(): string {
    return `${this.certBaseUrl}/${this.certName}.pem`;
  }

  /** The paypal-* headers for one delivery of `body` (the exact bytes sent). */
  headers(body: Buffer, transmissionTime: string): Record<string, string> {
    const transmissionId = randomUUID();
    const message = `${transmissionId}|${transmissionTime}|${this.webhookId}|${crc32(body)}`;
    return {
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': transmissionTime,
      'paypal-transmission-sig': createSign('RSA-SHA256').update(message).sign(this.privateKey, 'base64'),
      'paypal-cert-url': this.certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-auth-version': 'v2',
    };
  }
}

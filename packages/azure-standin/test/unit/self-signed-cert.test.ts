// The local certificates (PayPal simulator, telemetry ingestion) must parse every time: a DER
// serial number with a redundant leading zero byte made about one start in 256 fail.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { certificateSerial, selfSignedCertificate } from '../../src/tls/self-signed-cert';

test('every serial number is positive and minimal DER, whatever the random bytes', () => {
  for (let first = 0; first < 256; first++) {
    for (const second of [0x00, 0x7f, 0x80, 0xff]) {
      const s = certificateSerial(Buffer.from([first, second, 1, 2]));
      expect(s[0]).toBeGreaterThanOrEqual(1);
      expect(s[0]).toBeLessThanOrEqual(0x7f);
      expect(s.subarray(1)).toEqual(Buffer.from([second, 1, 2]));
    }
  }
});

test('a certificate parses, with its names and validity', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2027-01-01T00:00:00Z');
  const pem = selfSignedCertificate({ privateKey, publicKey, commonName: 'localhost', notBefore, notAfter, altNames: ['localhost', '127.0.0.1'] });
  const cert = new X509Certificate(pem);
  expect(cert.subject).toBe('CN=localhost');
  expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
  expect(new Date(cert.validTo).getTime()).toBe(notAfter.getTime());
  expect(cert.verify(publicKey)).toBe(true);
});

// HTTPS for local stand-ins whose real SDKs insist on https (the Application Insights exporter
// rewrites http:// endpoints to https://). A throwaway self-signed certificate for the loopback
// names, trusted by this process only, as a developer certificate is trusted on a workstation;
// nothing outside the runtime's process trusts it.
import { generateKeyPairSync } from 'node:crypto';
import tls from 'node:tls';
import { selfSignedCertificate } from './self-signed-cert';

export interface LocalCertificate {
  key: string;
  cert: string;
}

export function createLocalCertificate(): LocalCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const cert = selfSignedCertificate({
    privateKey, publicKey, commonName: 'azure-standin local TLS',
    notBefore: new Date(now - 60_000), notAfter: new Date(now + 30 * 86_400_000), altNames: ['127.0.0.1', 'localhost'],
  });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert };
}

const trusted: string[] = [];
let patched = false;

/**
 * Adds `cert` to the roots of every TLS context this process creates with the default roots,
 * what NODE_EXTRA_CA_CERTS does at start-up; contexts given their own `ca` are left alone.
 */
export function trustInThisProcess(cert: string): void {
  trusted.push(cert);
  if (patched) return;
  patched = true;
  const original = tls.createSecureContext;
  tls.createSecureContext = function (options?: tls.SecureContextOptions) {
    const ctx = original.call(tls, options);
    if (!options?.ca) for (const c of trusted) (ctx as unknown as { context: { addCACert(pem: string): void } }).context.addCACert(c);
    return ctx;
  };
}

// The stand-in for Entra ID: an ES256 signing key kept in the data directory,
// its JWKS served by the host, and tokens minted for any customer or role on request.
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';

// Port-independent, so a token minted while the host is down still validates after it starts.
export const localIssuer = 'urn:azure-standin:local-issuer';
export const localAudience = 'api://azure-standin-app';
export const jwksPath = '/local-issuer/jwks.json';

interface StoredKey { kid: string; privateJwk: JWK; publicJwk: JWK }

export async function loadOrCreateIssuerKey(dataDir: string): Promise<StoredKey> {
  const file = path.join(dataDir, 'issuer-key.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKey;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const stored: StoredKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
  fs.mkdirSync(dataDir, { recursive: true });
  // wx: two processes starting at once must not overwrite each other's key.
  try {
    fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredKey;
    throw err;
  }
  return stored;
}

export async function jwks(dataDir: string): Promise<{ keys: JWK[] }> {
  return { keys: [(await loadOrCreateIssuerKey(dataDir)).publicJwk] };
}

export interface MintOptions {
  subject: string;
  roles?: string[];
  email?: string;
  name?: string;
  /** Seconds; default one hour. */
  expiresIn?: number;
  audience?: string;
}

export async function mintToken(dataDir: string, o: MintOptions): Promise<string> {
  const key = await loadOrCreateIssuerKey(dataDir);
  const claims: Record<string, unknown> = {};
  if (o.roles?.length) claims.roles = o.roles;
  if (o.email) claims.email = o.email;
  if (o.name) claims.name = o.name;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(localIssuer)
    .setAudience(o.audience ?? localAudience)
    .setSubject(o.subject)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (o.expiresIn ?? 3600))
    .sign(await importJWK(key.privateJwk, 'ES256'));
}

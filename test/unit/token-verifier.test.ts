import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWTVerifyGetKey, KeyLike } from 'jose';
import { createTokenVerifier } from '../../adapters/auth/token-verifier';
import type { AuthConfig } from '../../adapters/auth/token-verifier';

const config: AuthConfig = { issuer: 'https://issuer.test/', audience: 'api://orders', jwksUri: 'https://issuer.test/keys', adminRole: 'Orders.Admin', customerIdClaim: 'sub' };
let signingKey: KeyLike;
let otherKey: KeyLike;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
});

const token = (claims: Record<string, unknown> = {}, o: { iss?: string; aud?: string; sub?: string | null; exp?: number; key?: KeyLike } = {}) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(o.iss ?? config.issuer).setAudience(o.aud ?? config.audience).setIssuedAt();
  if (o.sub !== null) jwt.setSubject(o.sub ?? 'cust-1');
  jwt.setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(o.key ?? signingKey);
};

test('a valid token yields the customer and their roles', async () => {
  const verify = createTokenVerifier(config, keys);
  expect(await verify(await token())).toEqual({ ok: true, principal: { customerId: 'cust-1', roles: [], isAdmin: false } });
  expect(await verify(await token({ roles: ['Orders.Admin', 7] }))).toEqual({ ok: true, principal: { customerId: 'cust-1', roles: ['Orders.Admin'], isAdmin: true } });
});

test('the customer id can come from another claim (oid with Entra ID)', async () => {
  const verify = createTokenVerifier({ ...config, customerIdClaim: 'oid' }, keys);
  expect(await verify(await token({ oid: '5e1f-oid' }))).toMatchObject({ ok: true, principal: { customerId: '5e1f-oid' } });
  expect(await verify(await token())).toEqual({ ok: false, error: 'invalid_token', description: 'The token has no usable "oid" claim.' });
});

test.each([
  ['another issuer', () => token({}, { iss: 'https://evil.test/' }), `The token's "iss" claim is not accepted.`],
  ['another audience', () => token({}, { aud: 'api://other' }), `The token's "aud" claim is not accepted.`],
  ['expired', () => token({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), 'The token has expired.'],
  ['signed by a stranger', () => token({}, { key: otherKey }), 'The token signature is not valid.'],
  ['garbage', async () => 'not.a.jwt', 'The token is not a valid JWT.'],
])('refuses a token that is %s', async (_name, make, description) => {
  const verify = createTokenVerifier(config, keys);
  expect(await verify(await make())).toEqual({ ok: false, error: 'invalid_token', description });
});

test('refuses unsigned and symmetric tokens', async () => {
  const verify = createTokenVerifier(config, keys);
  const header = (alg: string) => Buffer.from(JSON.stringify({ alg, kid: 'k1' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ iss: config.issuer, aud: config.audience, sub: 'cust-1', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
  expect(await verify(`${header('none')}.${body}.`)).toMatchObject({ ok: false });
  const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(config.issuer).setAudience(config.audience).setSubject('cust-1').sign(new TextEncoder().encode('a-guessed-secret-of-32-bytes-ok!'));
  expect(await verify(hs)).toEqual({ ok: false, error: 'invalid_token', description: 'The token algorithm is not allowed.' });
});

// Verifies bearer JWTs with jose against the configured issuer, audience and JWKS (Entra ID in
// Azure, the embedded runtime's local issuer on a laptop) and turns the claims into a principal.
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

export interface AuthConfig {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** App role that may read and list every customer's orders (Entra app role value). */
  adminRole: string;
  /** Claim that carries the customer id: `sub` locally, `oid` recommended with Entra ID. */
  customerIdClaim: string;
  /** Claims that may carry the caller's verified email, first match wins (`email`; `preferred_username` in workforce tenants). */
  emailClaims?: readonly string[];
}

export interface Principal {
  customerId: string;
  roles: string[];
  isAdmin: boolean;
  /** The caller's email as the issuer vouches for it (lower-cased); absent when the token carries none, or says it is unverified. */
  email?: string;
}

export type Verification = { ok: true; principal: Principal } | { ok: false; error: 'invalid_token'; description: string };

// Asymmetric only: an HS256 token signed with a guessed secret must never pass.
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export function createTokenVerifier(config: AuthConfig, keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.jwksUri))): (token: string) => Promise<Verification> {
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: config.issuer, audience: config.audience, algorithms, clockTolerance: 60 }));
    } catch (err) {
      return { ok: false, error: 'invalid_token', description: describe(err) };
    }
    const customerId = payload[config.customerIdClaim];
    if (typeof customerId !== 'string' || customerId.length === 0 || customerId.length > 128) {
      return { ok: false, error: 'invalid_token', description: `The token has no usable "${config.customerIdClaim}" claim.` };
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    const email = verifiedEmail(payload, config.emailClaims ?? ['email']);
    return { ok: true, principal: { customerId, roles, isAdmin: roles.includes(config.adminRole), ...(email ? { email } : {}) } };
  };
}

// An address-shaped value; the issuer verified it unless the token says otherwise (OIDC email_verified).
function verifiedEmail(payload: JWTPayload, claims: readonly string[]): string | undefined {
  if (payload.email_verified === false) return undefined;
  for (const claim of claims) {
    const v = payload[claim];
    if (typeof v === 'string' && v.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return v.toLowerCase();
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired.';
  if (err instanceof errors.JWTClaimValidationFailed) return `The token's "${err.claim}" claim is not accepted.`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is not valid.';
  if (err instanceof errors.JWKSNoMatchingKey) return 'The token was not signed by a key of the configured issuer.';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The token algorithm is not allowed.';
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return 'The signing keys of the issuer could not be loaded.';
  if (err instanceof errors.JOSEError) return 'The token is not a valid JWT.';
  return 'The token could not be verified.';
}

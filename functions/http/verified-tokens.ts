// Bearer tokens already verified, remembered for a short while: clients send the same token with
// every request until it expires, and the signature check (RSA/ECDSA) costs more CPU than the rest
// of a GET. Only successes are kept, never past the token's own `exp`, and at most `maxAgeMs`, so
// a key the issuer withdraws stops being accepted within that time.
import { decodeJwt } from 'jose';
import type { Principal, Verification } from '../../adapters/auth/token-verifier';

export type Verify = (token: string) => Promise<Verification>;

export interface VerifiedTokenOptions {
  maxAgeMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export function cachedVerifier(verify: Verify, options: VerifiedTokenOptions = {}): Verify {
  const { maxAgeMs = 60_000, maxEntries = 10_000, now = Date.now } = options;
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async (token) => {
    const t = now();
    const hit = cache.get(token);
    if (hit && hit.until > t) return { ok: true, principal: copy(hit.principal) };
    if (hit) cache.delete(token);
    const verified = await verify(token);
    if (verified.ok) {
      const until = Math.min(t + maxAgeMs, expiresAt(token));
      if (until > t) {
        // Oldest first out: a flood of new tokens cannot grow the map without bound.
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(token, { principal: copy(verified.principal), until });
      }
    }
    return verified;
  };
}

/** `exp` in epoch ms; a token without one (or not a JWT at all, to a stub verifier) is not cached. */
function expiresAt(token: string): number {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}

// Callers get their own copy: the principal must not be shared between requests.
const copy = (p: Principal): Principal => ({ ...p, roles: [...p.roles] });

import { UnsecuredJWT } from 'jose';
import type { Verification } from '../../adapters/auth/token-verifier';
import { cachedVerifier } from '../../functions/http/verified-tokens';

// The cache trusts whatever the wrapped verifier says; the tokens only need an `exp` to read.
const jwt = (expSeconds: number | undefined, sub = 'cust-1') => {
  const t = new UnsecuredJWT({}).setSubject(sub);
  if (expSeconds !== undefined) t.setExpirationTime(expSeconds);
  return t.encode();
};

function counting(result: (token: string) => Verification) {
  const calls: string[] = [];
  return { calls, verify: async (token: string) => (calls.push(token), result(token)) };
}

const ok: Verification = { ok: true, principal: { customerId: 'cust-1', roles: ['r'], isAdmin: false } };
const t0 = 1_700_000_000_000;

test('a verified token is checked once, then answered from memory with a copy of its principal', async () => {
  const inner = counting(() => ok);
  const verify = cachedVerifier(inner.verify, { now: () => t0 });
  const token = jwt(t0 / 1000 + 3600);
  const first = await verify(token);
  const second = await verify(token);
  expect(second).toEqual(ok);
  expect(inner.calls).toHaveLength(1);
  if (!first.ok || !second.ok) throw new Error('expected success');
  second.principal.roles.push('tampered');
  expect(await verify(token)).toEqual(ok);
});

test('never remembered past maxAgeMs nor past the token\'s exp; failures are never remembered', async () => {
  let now = t0;
  const inner = counting((token) => (token.startsWith('bad') ? { ok: false, error: 'invalid_token', description: 'no' } : ok));
  const verify = cachedVerifier(inner.verify, { now: () => now, maxAgeMs: 60_000 });
  const long = jwt(t0 / 1000 + 3600);
  const short = jwt(t0 / 1000 + 10, 'cust-2');
  await verify(long);
  await verify(short);
  now += 11_000; // past short's exp: checked again (the verifier decides, with its clock tolerance)
  await verify(long);
  await verify(short);
  expect(inner.calls).toEqual([long, short, short]);
  now += 60_000; // past maxAgeMs
  await verify(long);
  expect(inner.calls).toEqual([long, short, short, long]);
  await verify('bad-token');
  await verify('bad-token');
  expect(inner.calls.filter((t) => t === 'bad-token')).toHaveLength(2);
});

test('tokens without exp, or not JWTs at all, are verified every time; the map is bounded', async () => {
  const inner = counting(() => ok);
  const verify = cachedVerifier(inner.verify, { now: () => t0, maxEntries: 2 });
  const noExp = jwt(undefined);
  await verify(noExp);
  await verify(noExp);
  await verify('opaque');
  await verify('opaque');
  expect(inner.calls).toEqual([noExp, noExp, 'opaque', 'opaque']);
  const [a, b, c] = ['a', 'b', 'c'].map((s) => jwt(t0 / 1000 + 3600, s));
  for (const t of [a, b, c, b, c, a]) await verify(t);
  // a was evicted by c (the oldest goes first), so it is verified again.
  expect(inner.calls.slice(4)).toEqual([a, b, c, a]);
});

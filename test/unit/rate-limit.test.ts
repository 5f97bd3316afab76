import { RateLimiter } from '../../functions/http/rate-limit';

test('a caller gets its burst, then 429 with the seconds until the next token', () => {
  let now = 0;
  const limiter = new RateLimiter(2, 4, () => now);
  for (let i = 0; i < 4; i++) expect(limiter.take('a').allowed).toBe(true);
  const refused = limiter.take('a');
  expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
  // Other callers have their own bucket.
  expect(limiter.take('b').allowed).toBe(true);
  now += 500; // half a second refills one token at 2/s
  expect(limiter.take('a').allowed).toBe(true);
  expect(limiter.take('a').allowed).toBe(false);
});

test('the bucket never refills beyond the burst', () => {
  let now = 0;
  const limiter = new RateLimiter(10, 3, () => now);
  limiter.take('a');
  now += 3_600_000;
  const allowed = [1, 2, 3, 4].map(() => limiter.take('a').allowed);
  expect(allowed).toEqual([true, true, true, false]);
});

test('a rate of 0 disables limiting', () => {
  const limiter = new RateLimiter(0, 0, () => 0);
  for (let i = 0; i < 1000; i++) expect(limiter.take('a').allowed).toBe(true);
});

test('memory is bounded: the least recently seen callers are forgotten first', () => {
  let now = 0;
  const limiter = new RateLimiter(1, 1, () => now, 2);
  limiter.take('a');
  limiter.take('b');
  limiter.take('a'); // refused, but touches a
  limiter.take('c'); // evicts b, the least recent
  expect(limiter.take('a').allowed).toBe(false); // a was kept with its empty bucket
  expect(limiter.take('b').allowed).toBe(true); // b starts over
  now += 0;
});

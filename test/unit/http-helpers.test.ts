import fc from 'fast-check';
import { canonicalJson, requestFingerprint } from '../../application/request-fingerprint';
import { decodeCursor, encodeCursor } from '../../functions/http/cursor';
import { httpEtag, ifMatchPasses, ifNoneMatchHits } from '../../functions/http/etag';

describe('etags', () => {
  test('store versions become quoted entity tags, already quoted ones stay as they are', () => {
    expect(httpEtag('abc')).toBe('"abc"');
    expect(httpEtag('"00-11"')).toBe('"00-11"');
  });
  test('If-Match compares strongly against a list, * matches anything', () => {
    expect(ifMatchPasses('"abc"', 'abc')).toBe(true);
    expect(ifMatchPasses('"x", "abc"', 'abc')).toBe(true);
    expect(ifMatchPasses('"abd"', 'abc')).toBe(false);
    expect(ifMatchPasses('abc', 'abc')).toBe(false); // unquoted is not the tag
    expect(ifMatchPasses('*', 'abc')).toBe(true);
  });
  test('If-None-Match compares weakly', () => {
    expect(ifNoneMatchHits('W/"abc"', 'abc')).toBe(true);
    expect(ifNoneMatchHits('"zzz"', 'abc')).toBe(false);
  });
});

describe('cursors', () => {
  const filter = JSON.stringify(['c1', null]);
  test('round-trip the position for the same filter', () => {
    const c = encodeCursor({ createdAt: '2026-11-25T10:00:00.000Z', id: 'ord_abc' }, filter);
    expect(decodeCursor(c, filter)).toEqual({ createdAt: '2026-11-25T10:00:00.000Z', id: 'ord_abc' });
  });
  test('refuse a cursor issued for another filter, and anything that is not a cursor', () => {
    const c = encodeCursor({ createdAt: 't', id: 'i' }, filter);
    expect(decodeCursor(c, JSON.stringify(['c1', 'paid']))).toBe('wrong-filter');
    expect(decodeCursor('not-a-cursor', filter)).toBe('invalid');
    expect(decodeCursor(Buffer.from('{"at":1}').toString('base64url'), filter)).toBe('invalid');
  });
});

describe('request fingerprints', () => {
  const shuffle = (value: unknown, seed: number): unknown => {
    if (Array.isArray(value)) return value.map((v) => shuffle(v, seed));
    if (value && typeof value === 'object') {
      const entries = Object.entries(value);
      const rotated = entries.slice(seed % Math.max(entries.length, 1)).concat(entries.slice(0, seed % Math.max(entries.length, 1)));
      return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffle(v, seed + 1)]));
    }
    return value;
  };

  test('do not depend on key order', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.nat(), (v, seed) => requestFingerprint(shuffle(v, seed)) === requestFingerprint(v)));
  });

  test('change when any value changes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), fc.string(), fc.integer(), (obj, key, n) => {
        fc.pre(obj[key] !== n && !Object.prototype.hasOwnProperty.call(Object.prototype, key));
        return requestFingerprint({ ...obj, [key]: n }) !== requestFingerprint(obj);
      }),
    );
  });

  test('canonical JSON sorts keys and drops undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });
});

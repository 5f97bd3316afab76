import { RouteTemplate } from '../../src/host/route-template';
import { timeSpanMs } from '../../src/core/settings';

test('literal and parameter segments, case-insensitive literals', () => {
  const r = new RouteTemplate('orders/{id}/items');
  expect(r.match('/Orders/42/ITEMS')).toEqual({ params: { id: '42' } });
  expect(r.match('/orders/42')).toBeUndefined();
  expect(r.match('/orders/42/items/x')).toBeUndefined();
});

test('constraints, optional parameters, defaults and catch-all', () => {
  expect(new RouteTemplate('x/{n:int}').match('x/12')).toEqual({ params: { n: '12' } });
  expect(new RouteTemplate('x/{n:int}').match('x/1a')).toBeUndefined();
  expect(new RouteTemplate('x/{n:int:min(10)}').match('x/9')).toBeUndefined();
  expect(new RouteTemplate('x/{s:length(2,3)}').match('x/abcd')).toBeUndefined();
  expect(new RouteTemplate('x/{g:guid}').match('x/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
  expect(new RouteTemplate('x/{id?}').match('x')).toEqual({ params: {} });
  expect(new RouteTemplate('x/{page=1}').match('x')).toEqual({ params: { page: '1' } });
  expect(new RouteTemplate('files/{*path}').match('files/a/b%20c.txt')).toEqual({ params: { path: 'a/b c.txt' } });
});

test('invalid templates fail clearly', () => {
  expect(() => new RouteTemplate('x/{*a}/b')).toThrow(/catch-all parameter must be last/);
  expect(() => new RouteTemplate('x/{a:nope}')).toThrow(/unknown route constraint "nope"/);
});

test('routes differing only in parameter names have the same shape; different constraints do not', () => {
  expect(new RouteTemplate('a/{x}').shape).toBe(new RouteTemplate('a/{y}').shape);
  expect(new RouteTemplate('a/{x:int}').shape).not.toBe(new RouteTemplate('a/{x:alpha}').shape);
});

test('TimeSpan parsing', () => {
  expect(timeSpanMs('00:05:00')).toBe(300_000);
  expect(timeSpanMs('1.02:00:00.5')).toBe(93_600_500);
  expect(() => timeSpanMs('5 minutes')).toThrow(/not a TimeSpan/);
});

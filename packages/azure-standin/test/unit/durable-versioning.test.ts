// The Durable extension's version comparison and match strategies as the stand-in applies them,
// and the host's AzureFunctionsJobHost__ overrides of host.json.
import fc from 'fast-check';
import { compareVersions, versionMismatch } from '../../src/durable/versioning';
import { applyHostOverrides } from '../../src/core/settings';

test.each([
  ['', '', 0],
  [undefined, '', 0],
  ['', '1.0', -1],
  ['1.0', '', 1],
  ['1.0', '2.0', -1],
  ['1.10', '1.9', 1], // numeric, not text: "1.10" > "1.9"
  ['2', '10', -1],
  ['1.0', '1.0.0', -1], // System.Version: 1.0 < 1.0.0
  ['2.0', '2.0', 0],
  ['v1-release', 'V1-RELEASE', 0], // text, case-insensitive
  ['2025-01-01', '2025-02-01', -1],
])('compareVersions(%p, %p) = %p', (a, b, expected) => {
  expect(compareVersions(a, b)).toBe(expected);
});

test('compareVersions is an order: antisymmetric and consistent with equality', () => {
  const version = fc.oneof(fc.constant(''), fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }).map((p) => p.join('.')), fc.string({ maxLength: 6 }));
  fc.assert(fc.property(version, version, (a, b) => {
    expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)) || 0);
    if (a === b) expect(compareVersions(a, b)).toBe(0);
  }));
});

test('CurrentOrOlder runs older and equal versions, never newer; Strict only its own; None all', () => {
  const o = (matchStrategy: 'None' | 'Strict' | 'CurrentOrOlder') => ({ defaultVersion: '2.0', matchStrategy, failureStrategy: 'Reject' as const });
  expect(versionMismatch('', o('CurrentOrOlder'))).toBeNull();
  expect(versionMismatch('1.0', o('CurrentOrOlder'))).toBeNull();
  expect(versionMismatch('2.0', o('CurrentOrOlder'))).toBeNull();
  expect(versionMismatch('2.1', o('CurrentOrOlder'))).toContain('newer');
  expect(versionMismatch('1.0', o('Strict'))).toContain('Strict');
  expect(versionMismatch('2.0', o('Strict'))).toBeNull();
  expect(versionMismatch('9.0', o('None'))).toBeNull();
});

describe('AzureFunctionsJobHost__ overrides', () => {
  const host = () => ({ version: '2.0', extensions: { durableTask: { hubName: 'H', maxConcurrentActivityFunctions: 10, extendedSessionsEnabled: false } } });

  test('replace a value, matching keys without regard to case, keeping its type', () => {
    const json = host();
    const applied = applyHostOverrides(json, {
      AzureFunctionsJobHost__Extensions__DurableTask__HubName: 'Other',
      AZUREFUNCTIONSJOBHOST__extensions__durableTask__maxConcurrentActivityFunctions: '4',
      AzureFunctionsJobHost__extensions__durableTask__extendedSessionsEnabled: 'True',
      UNRELATED: 'x',
    });
    expect(applied).toHaveLength(3);
    expect(json.extensions.durableTask).toEqual({ hubName: 'Other', maxConcurrentActivityFunctions: 4, extendedSessionsEnabled: true });
  });

  test('add a key host.json lacks, as text, creating the sections on the way', () => {
    const json = host() as Record<string, unknown>;
    applyHostOverrides(json, { AzureFunctionsJobHost__extensions__durableTask__defaultVersion: '3.0', AzureFunctionsJobHost__logging__logLevel__default: 'Warning' });
    expect(json).toMatchObject({ extensions: { durableTask: { defaultVersion: '3.0' } }, logging: { logLevel: { default: 'Warning' } } });
  });

  test('refuse a value of the wrong type, naming the setting', () => {
    expect(() => applyHostOverrides(host(), { AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: 'lots' })).toThrow('must be a number');
    expect(() => applyHostOverrides(host(), { AzureFunctionsJobHost__extensions__durableTask__extendedSessionsEnabled: 'yes' })).toThrow('must be true or false');
  });
});

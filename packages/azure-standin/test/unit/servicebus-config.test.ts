// Entity configuration validation, address resolution and SAS token checks.
import { createHmac } from 'node:crypto';
import { EntityRegistry, parseEntityConfig } from '../../src/servicebus/config';
import { verifySasToken } from '../../src/servicebus/sas';

describe('parseEntityConfig', () => {
  test('applies Azure defaults', () => {
    const registry = new EntityRegistry(parseEntityConfig({ queues: [{ name: 'orders' }], topics: [{ name: 'events', subscriptions: [{ name: 'all', filter: 'all' }] }] }));
    expect(registry.get('ORDERS')).toMatchObject({ kind: 'queue', maxDeliveryCount: 10, lockDurationMs: 60_000, duplicateDetectionWindowMs: 600_000, deadLetteringOnMessageExpiration: false });
    expect(registry.get('events/subscriptions/ALL')).toMatchObject({ kind: 'subscription', path: 'events/Subscriptions/all', filter: undefined });
  });

  test('lists every problem with its path', () => {
    expect(() =>
      parseEntityConfig({
        queues: [{ name: 'orders' }, { name: 'Orders', maxDeliveryCount: 0 }, { name: '-bad' }],
        topics: [{ name: 'orders', subscriptions: [{ name: 's' }, { name: 'S' }, { name: 'f', filter: {} }] }],
        extra: true,
      }),
    ).toThrow(
      new RegExp(
        [
          'Invalid Service Bus entity configuration:',
          'queues\\.1\\.maxDeliveryCount: .*',
          'queues\\.2\\.name: must start and end with a letter or digit',
          'topics\\.0\\.subscriptions\\.2\\.filter: a correlation filter needs at least one property',
          '\\(root\\): Unrecognized key: "extra"',
        ].join('[\\s\\S]*'),
      ),
    );
    expect(() => parseEntityConfig({ queues: [{ name: 'a' }, { name: 'A' }], topics: [{ name: 't', subscriptions: [{ name: 's' }, { name: 'S' }] }] })).toThrow(
      /queues\.1\.name: "A" is already used by queues\.0\.name \(entity names are case-insensitive\)[\s\S]*subscription "S" appears twice in topic "t"/,
    );
  });

  test('resolves AMQP addresses and CBS audiences', () => {
    const registry = new EntityRegistry(parseEntityConfig({ queues: [{ name: 'orders' }], topics: [{ name: 'events', subscriptions: [{ name: 'mail' }] }] }));
    expect(registry.resolveAddress('sb://127.0.0.1:5672/Orders/$DeadLetterQueue')).toMatchObject({ entity: { path: 'orders' }, subQueue: 'deadLetter', management: false });
    expect(registry.resolveAddress('events/Subscriptions/mail/$management')).toMatchObject({ entity: { path: 'events/Subscriptions/mail' }, subQueue: 'active', management: true });
    expect(registry.resolveAddress('events/Subscriptions/nope')).toBeUndefined();
  });
});

describe('verifySasToken', () => {
  const sign = (audience: string, expiry: number, key: string, keyName = 'Root') => {
    const sr = encodeURIComponent(audience);
    const sig = encodeURIComponent(createHmac('sha256', key).update(`${sr}\n${expiry}`).digest('base64'));
    return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expiry}&skn=${keyName}`;
  };
  const now = 1_700_000_000_000;
  const expiry = now / 1000 + 3600;

  test('accepts a token signed with the key and returns its audience', () => {
    expect(verifySasToken(sign('sb://h/orders', expiry, 'secret'), 'Root', 'secret', now)).toEqual({ ok: true, audience: 'sb://h/orders' });
  });

  test('rejects a wrong key, an unknown key name and an expired token', () => {
    expect(verifySasToken(sign('sb://h/orders', expiry, 'wrong'), 'Root', 'secret', now)).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid signature/) });
    expect(verifySasToken(sign('sb://h/orders', expiry, 'secret', 'Other'), 'Root', 'secret', now)).toMatchObject({ ok: false, reason: expect.stringMatching(/'Other'/) });
    expect(verifySasToken(sign('sb://h/orders', now / 1000 - 1, 'secret'), 'Root', 'secret', now)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    expect(verifySasToken('Bearer abc', 'Root', 'secret', now)).toMatchObject({ ok: false });
  });
});

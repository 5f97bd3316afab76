// Broker semantics of the SQLite store, on a controllable clock.
import { Database } from '../../src/core/sqlite';
import { BusStore, matches } from '../../src/servicebus/bus-store';
import type { EnqueueRequest } from '../../src/servicebus/bus-store';
import { EntityRegistry, parseEntityConfig } from '../../src/servicebus/config';
import type { QueueEntity, SubscriptionEntity, TopicEntity } from '../../src/servicebus/config';

const registry = new EntityRegistry(
  parseEntityConfig({
    queues: [
      { name: 'q', maxDeliveryCount: 2, lockDurationSeconds: 10, duplicateDetectionWindowSeconds: 60 },
      { name: 'ttl', defaultMessageTimeToLiveSeconds: 5, deadLetteringOnMessageExpiration: true },
      { name: 'ttl-drop', defaultMessageTimeToLiveSeconds: 5 },
    ],
    topics: [{ name: 't', subscriptions: [{ name: 'all' }, { name: 'red', filter: { applicationProperties: { color: 'red' } } }] }],
  }),
);
const q = registry.get('q') as QueueEntity;
const msg = (id?: string, extra: Partial<EnqueueRequest> = {}): EnqueueRequest => ({ payload: Buffer.from(id ?? 'x'), fields: { messageId: id }, ...extra });

describe('BusStore', () => {
  let db: Database;
  let now: number;
  let store: BusStore;
  beforeEach(() => {
    db = new Database(':memory:');
    now = 1_000_000;
    store = new BusStore(db, () => now);
  });
  afterEach(() => db.close());

  test('detects duplicates only within the window', () => {
    expect(store.enqueue(q, [msg('a'), msg('a')]).map((r) => r.duplicate)).toEqual([false, true]);
    now += 59_000;
    expect(store.enqueue(q, [msg('a')])[0].duplicate).toBe(true);
    now += 2_000;
    expect(store.enqueue(q, [msg('a')])[0]).toMatchObject({ duplicate: false, sequenceNumber: 2 });
  });

  test('counts lock expiry as a failed delivery and dead-letters at maxDeliveryCount', () => {
    store.enqueue(q, [msg('a')]);
    const [first] = store.receive(q, 'active', 5, 'peekLock');
    expect(first).toMatchObject({ deliveryCount: 0, lockedUntil: now + 10_000 });
    expect(store.receive(q, 'active', 5, 'peekLock')).toHaveLength(0); // locked
    now += 10_000;
    const [second] = store.receive(q, 'active', 5, 'peekLock');
    expect(second.deliveryCount).toBe(1);
    expect(store.complete(q, 'active', first.lockToken!)).toBe('lockLost');
    now += 10_000;
    expect(store.receive(q, 'active', 5, 'peekLock')).toHaveLength(0);
    const [dead] = store.peek(q, 'deadLetter', 1, 5);
    expect(dead).toMatchObject({ deliveryCount: 2, deadLetterReason: 'MaxDeliveryCountExceeded' });
  });

  test('renews only live locks', () => {
    store.enqueue(q, [msg('a')]);
    const [m] = store.receive(q, 'active', 1, 'peekLock');
    now += 5_000;
    expect(store.renewLock(q, 'active', m.lockToken!)).toBe(now + 10_000);
    now += 10_001;
    expect(store.renewLock(q, 'active', m.lockToken!)).toBeUndefined();
  });

  test('expires messages by TTL: dead-lettered or dropped per entity setting', () => {
    const ttl = registry.get('ttl') as QueueEntity;
    const drop = registry.get('ttl-drop') as QueueEntity;
    store.enqueue(ttl, [msg('a'), msg('b', { timeToLiveMs: 1_000 })]);
    store.enqueue(drop, [msg('c')]);
    now += 1_000;
    expect(store.receive(ttl, 'active', 5, 'peekLock').map((m) => m.payload.toString())).toEqual(['a']);
    now += 5_000;
    expect(store.receive(drop, 'active', 5, 'peekLock')).toHaveLength(0);
    expect(store.counts().find((c) => c.entityKey === 'ttl-drop')).toBeUndefined();
    const dead = store.peek(ttl, 'deadLetter', 1, 5);
    expect(dead.map((m) => [m.payload.toString(), m.deadLetterReason])).toEqual([['b', 'TTLExpiredException']]);
  });

  test('holds scheduled messages until due and reports when to wake', () => {
    store.enqueue(q, [msg('later', { scheduledEnqueueTimeMs: now + 3_000 })]);
    expect(store.receive(q, 'active', 5, 'peekLock')).toHaveLength(0);
    expect(store.nextWakeAt(q, 'active')).toBe(now + 3_000);
    expect(store.counts()[0]).toMatchObject({ active: 0, scheduled: 1 });
    now += 3_000;
    expect(store.receive(q, 'active', 5, 'receiveAndDelete')).toHaveLength(1);
    expect(store.nextWakeAt(q, 'active')).toBeUndefined();
  });

  test('fans a topic message out to matching subscriptions under one sequence number', () => {
    const t = registry.get('t') as TopicEntity;
    const [red, blue] = store.enqueue(t, [
      { payload: Buffer.from('r'), fields: { applicationProperties: { color: 'red' } } },
      { payload: Buffer.from('b'), fields: { applicationProperties: { color: 'blue' } } },
    ]);
    expect(red.deliveredTo).toEqual(['t/subscriptions/all', 't/subscriptions/red']);
    expect(blue.deliveredTo).toEqual(['t/subscriptions/all']);
    const sub = registry.get('T/Subscriptions/Red') as SubscriptionEntity;
    expect(store.receive(sub, 'active', 5, 'receiveAndDelete').map((m) => m.sequenceNumber)).toEqual([red.sequenceNumber]);
  });

  test('treats locks from a previous run as expired', () => {
    store.enqueue(q, [msg('a')]);
    store.receive(q, 'active', 1, 'peekLock');
    const reopened = new BusStore(db, () => now);
    expect(reopened.expireLocksFromPreviousRun()).toBe(1);
    expect(reopened.receive(q, 'active', 1, 'peekLock')[0].deliveryCount).toBe(1);
  });
});

describe('correlation filters', () => {
  test('every property set must be equal', () => {
    expect(matches(undefined, {})).toBe(true);
    expect(matches({ subject: 'A', applicationProperties: { n: 1 } }, { subject: 'A', applicationProperties: { n: 1, x: 2 } })).toBe(true);
    expect(matches({ subject: 'A' }, { subject: 'a' })).toBe(false);
    expect(matches({ applicationProperties: { n: 1 } }, { applicationProperties: { n: '1' } })).toBe(false);
    expect(matches({ correlationId: 'c', contentType: 'application/json' }, { correlationId: 'c' })).toBe(false);
  });
});

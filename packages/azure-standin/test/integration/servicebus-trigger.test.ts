// serviceBusTrigger dispatch: settlement, retries, dead-lettering, concurrency, batching, lock
// renewal, and the exact trigger input/metadata a Node worker receives.
import { Database } from '../../src/core/sqlite';
import { ServiceBusClient } from '@azure/service-bus';
import type { RpcTypedData } from '../../src/core/rpc-types';
import { ServiceBusEmulator } from '../../src/servicebus';
import type { ServiceBusTriggerTarget, TriggerOptions } from '../../src/servicebus';

interface Call {
  input: RpcTypedData;
  metadata: Record<string, RpcTypedData>;
}

const until = async (condition: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('serviceBusTrigger dispatch', () => {
  let db: Database;
  let emulator: ServiceBusEmulator;

  beforeEach(() => {
    db = new Database(':memory:');
    emulator = new ServiceBusEmulator({
      db,
      sasKeyName: 'RootManageSharedAccessKey',
      sasKey: 'k',
      entities: {
        queues: [
          { name: 'orders', lockDurationSeconds: 0.2 },
          { name: 'flaky', maxDeliveryCount: 3 },
        ],
        topics: [{ name: 'order-events', subscriptions: [{ name: 'audit' }] }],
      },
    });
  });
  afterEach(async () => {
    await emulator.close();
    db.close();
  });

  function trigger(entityPath: string, handler: (call: Call) => Promise<void> | void, cardinality: 'one' | 'many' = 'one', options: Partial<TriggerOptions> = {}): Call[] {
    const calls: Call[] = [];
    const target: ServiceBusTriggerTarget = {
      functionName: 'processOrder',
      entityPath,
      cardinality,
      invoke: async (input, metadata) => {
        const call = { input, metadata };
        calls.push(call);
        await handler(call);
      },
    };
    emulator.addTrigger(target, options);
    emulator.start();
    return calls;
  }

  test('passes the body and the host metadata of a message sent through the SDK, then completes it', async () => {
    const calls = trigger('order-events/Subscriptions/audit', () => undefined);
    await emulator.listen(0);
    const client = new ServiceBusClient(emulator.connectionString());
    try {
      await client.createSender('order-events').sendMessages({
        body: { orderId: 7 },
        messageId: 'order-7',
        correlationId: 'c-7',
        subject: 'OrderPlaced',
        contentType: 'application/json',
        to: 'audit',
        replyTo: 'replies',
        applicationProperties: { tenant: 'contoso', priority: 2 },
      });
      await until(() => calls.length === 1 && emulator.stats().find((s) => s.path === 'order-events/Subscriptions/audit')!.active === 0);
    } finally {
      await client.close();
    }
    const { input, metadata } = calls[0];
    expect(input).toEqual({ json: '{"orderId":7}' });
    expect(Object.keys(metadata).sort()).toEqual(
      ['ApplicationProperties', 'ContentType', 'CorrelationId', 'DeliveryCount', 'EnqueuedTime', 'EnqueuedTimeUtc', 'ExpiresAt', 'ExpiresAtUtc', 'Label', 'LockToken', 'MessageId', 'ReplyTo', 'SequenceNumber', 'Subject', 'To', 'UserProperties', 'sys'].sort(),
    );
    expect(metadata).toMatchObject({
      MessageId: { string: 'order-7' },
      CorrelationId: { string: 'c-7' },
      Subject: { string: 'OrderPlaced' },
      Label: { string: 'OrderPlaced' },
      ContentType: { string: 'application/json' },
      To: { string: 'audit' },
      ReplyTo: { string: 'replies' },
      DeliveryCount: { json: '1' },
      SequenceNumber: { json: '1' },
      ApplicationProperties: { json: '{"tenant":"contoso","priority":2}' },
      UserProperties: { json: '{"tenant":"contoso","priority":2}' },
      ExpiresAtUtc: { json: '"9999-12-31T23:59:59.9999999"' },
      ExpiresAt: { json: '"9999-12-31T23:59:59.9999999+00:00"' },
    });
    expect(metadata.LockToken.string).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Newtonsoft renders DateTime (unspecified kind) without a zone and DateTimeOffset with one.
    const enqueued = JSON.parse(metadata.EnqueuedTimeUtc.json!) as string;
    expect(enqueued).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/);
    expect(Math.abs(Date.parse(`${enqueued}Z`) - Date.now())).toBeLessThan(5000);
    expect(JSON.parse(metadata.EnqueuedTime.json!)).toBe(`${enqueued}+00:00`);
    expect(JSON.parse(metadata.sys.json!)).toMatchObject({ MethodName: 'processOrder', RandGuid: expect.any(String), UtcNow: expect.any(String) });
  });

  test('passes text as string and binary as bytes', async () => {
    const calls = trigger('orders', () => undefined);
    await emulator.send('orders', [{ body: 'hello there' }, { body: Buffer.from([0xff, 0x00, 0xc3]) }]);
    await until(() => calls.length === 2);
    const inputs = calls.map((c) => c.input);
    expect(inputs).toContainEqual({ string: 'hello there' });
    expect(inputs).toContainEqual({ bytes: new Uint8Array([0xff, 0x00, 0xc3]) });
  });

  test('abandons on failure, retries with a higher DeliveryCount, and dead-letters after maxDeliveryCount', async () => {
    const calls = trigger('flaky', () => {
      throw new Error('payment service down');
    });
    await emulator.send('flaky', [{ body: '{"orderId":1}', messageId: 'm-1' }]);
    await until(() => emulator.deadLetters('flaky').length === 1);
    expect(calls.map((c) => c.metadata.DeliveryCount)).toEqual([{ json: '1' }, { json: '2' }, { json: '3' }]);
    expect(new Set(calls.map((c) => c.metadata.LockToken.string)).size).toBe(3); // a new lock per delivery
    const [dead] = emulator.deadLetters('flaky');
    expect(dead).toMatchObject({ messageId: 'm-1', deadLetterReason: 'MaxDeliveryCountExceeded', deadLetterErrorDescription: 'Message could not be consumed after 3 delivery attempts.' });
    expect(dead.body.toString()).toBe('{"orderId":1}');
    expect(emulator.stats().find((s) => s.path === 'flaky')).toMatchObject({ active: 0, deadLetter: 1 });
  });

  test('recovers when a retry succeeds', async () => {
    let attempts = 0;
    const calls = trigger('flaky', () => {
      if (++attempts === 1) throw new Error('transient');
    });
    await emulator.send('flaky', [{ body: 'x' }]);
    await until(() => calls.length === 2 && emulator.stats().find((s) => s.path === 'flaky')!.active === 0);
    await sleep(50);
    expect(calls).toHaveLength(2);
    expect(emulator.deadLetters('flaky')).toHaveLength(0);
  });

  test('never runs more than maxConcurrentCalls at once', async () => {
    let running = 0;
    let peak = 0;
    const calls = trigger(
      'flaky',
      async () => {
        peak = Math.max(peak, ++running);
        await sleep(40);
        running--;
      },
      'one',
      { maxConcurrentCalls: 2 },
    );
    await emulator.send('flaky', Array.from({ length: 6 }, (_, i) => ({ body: `m${i}` })));
    await until(() => calls.length === 6 && running === 0);
    expect(peak).toBe(2);
  });

  test('renews the lock while a function outlives it, so the message is not delivered twice', async () => {
    const calls = trigger('orders', () => sleep(700)); // lock duration is 200 ms
    await emulator.send('orders', [{ body: 'slow' }]);
    await until(() => calls.length === 1);
    await until(() => emulator.stats().find((s) => s.path === 'orders')!.active === 0);
    await sleep(300);
    expect(calls).toHaveLength(1);
  });

  test('stops renewing after maxAutoLockRenewalDuration, so the lock expires and the message comes back', async () => {
    const calls = trigger('orders', () => sleep(600), 'one', { maxAutoLockRenewalMs: 100 });
    await emulator.send('orders', [{ body: 'too slow' }]);
    await until(() => calls.length === 2);
    expect(calls[1].metadata.DeliveryCount).toEqual({ json: '2' });
  });

  test('delivers batches of up to maxMessageBatchSize with array metadata for cardinality many', async () => {
    const calls = trigger('flaky', () => undefined, 'many', { maxMessageBatchSize: 3 });
    await emulator.send('flaky', [
      { body: '{"n":1}', messageId: 'a', subject: 's1' },
      { body: '{"n":2}', messageId: 'b' },
      { body: '{"n":3}', messageId: 'c', subject: 's3' },
      { body: 'text four', messageId: 'd' },
      { body: 'text five', messageId: 'e' },
    ]);
    await until(() => calls.length === 2);
    const [first, second] = calls;
    expect(first.input).toEqual({ json: '[{"n":1},{"n":2},{"n":3}]' });
    expect(second.input).toEqual({ collectionString: { string: ['text four', 'text five'] } });
    expect(first.metadata).toMatchObject({
      MessageIdArray: { collectionString: { string: ['a', 'b', 'c'] } },
      SubjectArray: { collectionString: { string: ['s1', 's3'] } }, // the host drops null entries
      SequenceNumberArray: { collectionSint64: { sint64: [1, 2, 3] } },
      DeliveryCountArray: { json: '[1,1,1]' },
      ApplicationPropertiesArray: { json: '[{},{},{}]' },
    });
    expect(first.metadata.LockTokenArray.collectionString!.string).toHaveLength(3);
    expect(JSON.parse(first.metadata.EnqueuedTimeUtcArray.json!)).toHaveLength(3);
    expect(first.metadata.MessageId).toBeUndefined();
  });

  test('rejects a trigger on an unknown entity or a topic with a clear error', () => {
    const target = (entityPath: string): ServiceBusTriggerTarget => ({ functionName: 'f', entityPath, cardinality: 'one', invoke: async () => undefined });
    expect(() => emulator.addTrigger(target('nope'))).toThrow(/serviceBusTrigger function "f": no queue or subscription "nope" is configured\. Configured entities: .*orders/);
    expect(() => emulator.addTrigger(target('order-events'))).toThrow(/is a topic; use "order-events\/Subscriptions\/<subscription>"/);
    expect(() => emulator.addTrigger(target('orders'), { maxConcurrentCalls: 0 })).toThrow(/maxConcurrentCalls must be a positive integer/);
  });
});

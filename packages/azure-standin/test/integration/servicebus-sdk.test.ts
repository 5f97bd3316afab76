// The real @azure/service-bus SDK against the emulator's AMQP endpoint.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../src/core/sqlite';
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusReceivedMessage, ServiceBusReceiverOptions } from '@azure/service-bus';
import { ServiceBusEmulator } from '../../src/servicebus';
import type { EntityConfigInput } from '../../src/servicebus';

const keyName = 'RootManageSharedAccessKey';
const key = 'test-key';

const entities: EntityConfigInput = {
  queues: [
    { name: 'orders' },
    { name: 'retry', maxDeliveryCount: 2 },
    { name: 'short-lock', lockDurationSeconds: 0.3 },
    { name: 'renewable', lockDurationSeconds: 1 },
  ],
  topics: [
    {
      name: 'order-events',
      subscriptions: [{ name: 'all' }, { name: 'email', filter: { subject: 'OrderPlaced', applicationProperties: { channel: 'email' } } }],
    },
  ],
};

interface Fixture {
  dir: string;
  db: Database;
  emulator: ServiceBusEmulator;
  client: ServiceBusClient;
}

async function open(dir: string): Promise<Fixture> {
  const db = new Database(path.join(dir, 'bus.db'));
  db.pragma('journal_mode = WAL');
  const emulator = new ServiceBusEmulator({ db, entities, sasKeyName: keyName, sasKey: key });
  await emulator.listen(0);
  const client = new ServiceBusClient(emulator.connectionString(), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
  return { dir, db, emulator, client };
}

async function shut(f: Fixture): Promise<void> {
  await f.client.close();
  await f.emulator.close();
  f.db.close();
}

const newDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sb-sdk-'));
const receive = (f: Fixture, entity: string, n: number, wait = 2000, opts: ServiceBusReceiverOptions = {}) =>
  f.client.createReceiver(entity, opts).receiveMessages(n, { maxWaitTimeInMs: wait });

describe('Service Bus emulator with the @azure/service-bus SDK', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await open(newDir());
  });
  afterEach(async () => {
    await shut(f);
    fs.rmSync(f.dir, { recursive: true, force: true });
  });

  test('round-trips JSON and binary bodies with their properties', async () => {
    const sender = f.client.createSender('orders');
    await sender.sendMessages({ body: { orderId: 42, total: 9.5 }, messageId: 'order-42', correlationId: 'corr-1', subject: 'OrderPlaced', contentType: 'application/json', applicationProperties: { tenant: 'contoso', attempt: 3 } });
    await sender.sendMessages([{ body: Buffer.from([0, 1, 254, 255]), messageId: 'bin-1' }, { body: 'plain text' }]);

    const receiver = f.client.createReceiver('orders');
    const got = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(got.map((m) => m.body)).toEqual([{ orderId: 42, total: 9.5 }, Buffer.from([0, 1, 254, 255]), 'plain text']);
    const [json, bin, text] = got;
    expect(json).toMatchObject({ messageId: 'order-42', correlationId: 'corr-1', subject: 'OrderPlaced', contentType: 'application/json', applicationProperties: { tenant: 'contoso', attempt: 3 } });
    expect(bin.messageId).toBe('bin-1');
    expect(text.messageId).toMatch(/^[0-9a-f]{32}$/); // assigned by the broker, as Service Bus does
    expect(got.map((m) => m.sequenceNumber!.toNumber())).toEqual([1, 2, 3]);
    // The JS SDK exposes the AMQP header as is: 0 on the first delivery (.NET and Functions add 1).
    expect(got.map((m) => m.deliveryCount)).toEqual([0, 0, 0]);
    for (const m of got) {
      expect(m.lockToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(Math.abs(m.enqueuedTimeUtc!.getTime() - Date.now())).toBeLessThan(5000);
      expect(m.lockedUntilUtc!.getTime() - m.enqueuedTimeUtc!.getTime()).toBeGreaterThanOrEqual(59_000); // default 60 s lock
    }
    for (const m of got) await receiver.completeMessage(m);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
  });

  test('fans a topic message out to every subscription whose filter matches', async () => {
    const sender = f.client.createSender('order-events');
    await sender.sendMessages([
      { body: 'email me', subject: 'OrderPlaced', applicationProperties: { channel: 'email' } },
      { body: 'sms me', subject: 'OrderPlaced', applicationProperties: { channel: 'sms' } },
      { body: 'shipped', subject: 'OrderShipped', applicationProperties: { channel: 'email' } },
    ]);
    const all = await receive(f, 'order-events/Subscriptions/all', 3, 2000, { receiveMode: 'receiveAndDelete' });
    const email = await receive(f, 'Order-Events/subscriptions/EMAIL', 1, 2000, { receiveMode: 'receiveAndDelete' });
    expect(all.map((m) => m.body)).toEqual(['email me', 'sms me', 'shipped']);
    expect(email.map((m) => m.body)).toEqual(['email me']);
    expect(f.emulator.stats().find((s) => s.path === 'order-events/Subscriptions/email')?.active).toBe(0);
    // Copies keep the topic's sequence number.
    expect(email[0].sequenceNumber!.toNumber()).toBe(all[0].sequenceNumber!.toNumber());
  });

  test('drops a duplicate messageId inside the detection window but acknowledges the send', async () => {
    const sender = f.client.createSender('orders');
    await sender.sendMessages({ body: 'first', messageId: 'same-id' });
    await sender.sendMessages({ body: 'second', messageId: 'same-id' });
    await sender.sendMessages({ body: 'other', messageId: 'other-id' });
    const got = await receive(f, 'orders', 2, 2000, { receiveMode: 'receiveAndDelete' });
    expect(got.map((m) => m.body)).toEqual(['first', 'other']);
    expect(f.emulator.stats().find((s) => s.path === 'orders')?.active).toBe(0);
  });

  test('reports an unknown entity as MessagingEntityNotFound', async () => {
    const sendError = await f.client.createSender('no-such-queue').sendMessages({ body: 'x' }).catch((e: unknown) => e);
    expect(sendError).toMatchObject({ name: 'ServiceBusError', code: 'MessagingEntityNotFound' });
    expect(String((sendError as Error).message)).toMatch(/The messaging entity 'sb:\/\/127\.0\.0\.1:\d+\/no-such-queue' could not be found/);
    const receiveError = await f.client.createReceiver('order-events/Subscriptions/nope').receiveMessages(1, { maxWaitTimeInMs: 500 }).catch((e: unknown) => e);
    expect(receiveError).toMatchObject({ code: 'MessagingEntityNotFound' });
  });

  test('rejects a token signed with the wrong key as UnauthorizedAccess', async () => {
    const wrong = f.emulator.connectionString().replace(`SharedAccessKey=${key}`, 'SharedAccessKey=not-the-key');
    const client = new ServiceBusClient(wrong, { retryOptions: { maxRetries: 0, timeoutInMs: 5000 } });
    try {
      const err = await client.createSender('orders').sendMessages({ body: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ServiceBusError', code: 'UnauthorizedAccess' });
      expect(String((err as Error).message)).toMatch(/invalid signature/i);
    } finally {
      await client.close();
    }
    expect(f.emulator.stats().find((s) => s.path === 'orders')?.active).toBe(0);
  });

  test('redelivers an abandoned message with a higher delivery count, then dead-letters it past maxDeliveryCount', async () => {
    await f.client.createSender('retry').sendMessages({ body: 'poison', messageId: 'p-1' });
    const receiver = f.client.createReceiver('retry');
    const first = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(first[0].deliveryCount).toBe(0);
    await receiver.abandonMessage(first[0]);
    const second = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(second[0].messageId).toBe('p-1');
    expect(second[0].deliveryCount).toBe(1); // Service Bus DeliveryCount 2, raw header 1
    await receiver.abandonMessage(second[0]); // the 2nd failed delivery reaches maxDeliveryCount 2

    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const dlq = f.client.createReceiver('retry', { subQueueType: 'deadLetter' });
    const dead = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ messageId: 'p-1', body: 'poison', deadLetterReason: 'MaxDeliveryCountExceeded', deadLetterErrorDescription: 'Message could not be consumed after 2 delivery attempts.' });
    await dlq.completeMessage(dead[0]);
    expect(f.emulator.deadLetters('retry')).toHaveLength(0);
  });

  test('dead-letters on request with the given reason and description', async () => {
    await f.client.createSender('orders').sendMessages({ body: 'bad order', applicationProperties: { source: 'test' } });
    const receiver = f.client.createReceiver('orders');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(m, { deadLetterReason: 'ValidationFailed', deadLetterErrorDescription: 'total is negative' });
    const [dead] = await receive(f, 'orders', 1, 2000, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    expect(dead).toMatchObject({ body: 'bad order', deadLetterReason: 'ValidationFailed', deadLetterErrorDescription: 'total is negative', applicationProperties: { source: 'test' } });
  });

  test('renews a lock and reports a lost lock as MessageLockLost', async () => {
    await f.client.createSender('renewable').sendMessages({ body: 'slow work' });
    const receiver = f.client.createReceiver('renewable', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const before = m.lockedUntilUtc!.getTime();
    await new Promise((r) => setTimeout(r, 600));
    const renewed = await receiver.renewMessageLock(m);
    expect(renewed.getTime()).toBeGreaterThanOrEqual(before + 500);
    await new Promise((r) => setTimeout(r, 700)); // still inside the renewed lock
    await receiver.completeMessage(m);
    const gone = await receiver.renewMessageLock(m).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 'MessageLockLost' });
  });

  test('makes a message visible again when its lock expires, counting a failed delivery', async () => {
    await f.client.createSender('short-lock').sendMessages({ body: 'forgotten' });
    const receiver = f.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(again.sequenceNumber!.toNumber()).toBe(first.sequenceNumber!.toNumber());
    expect(again.deliveryCount).toBe(1);
    const lost = await receiver.completeMessage(first).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'MessageLockLost' });
    await receiver.completeMessage(again);
  });

  test('peeks without locking and receiveAndDelete removes', async () => {
    await f.client.createSender('orders').sendMessages([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const receiver = f.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
    const peeked = await receiver.peekMessages(2);
    expect(peeked.map((m) => m.body)).toEqual(['a', 'b']);
    expect((await receiver.peekMessages(5)).map((m) => m.body)).toEqual(['c']); // the SDK continues after the last peeked
    expect(await receiver.peekMessages(5)).toEqual([]);
    const got = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(got.map((m) => m.body)).toEqual(['a', 'b', 'c']);
    expect(await receiver.peekMessages(5, { fromSequenceNumber: got[0].sequenceNumber })).toEqual([]);
  });

  test('delivers scheduled messages at their time and cancels them on request', async () => {
    const sender = f.client.createSender('orders');
    const at = new Date(Date.now() + 700);
    const [keep, cancel] = await sender.scheduleMessages([{ body: 'later' }, { body: 'never' }], at);
    await sender.cancelScheduledMessages(cancel);
    const peeked = await f.client.createReceiver('orders').peekMessages(5);
    expect(peeked.map((m) => [m.body, m.state])).toEqual([['later', 'scheduled']]);
    expect(peeked[0].sequenceNumber!.toNumber()).toBe(keep.toNumber());

    const receiver = f.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
    const got = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(got.map((m) => m.body)).toEqual(['later']);
    expect(f.emulator.stats().find((s) => s.path === 'orders')).toMatchObject({ active: 0, scheduled: 0 });
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    expect(got[0].scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
  });
});

test('keeps messages across a restart on the same SQLite file; locks of the dead process are released', async () => {
  const dir = newDir();
  try {
    let f = await open(dir);
    await f.client.createSender('orders').sendMessages([{ body: 'settled later', messageId: 'a' }, { body: 'untouched', messageId: 'b' }]);
    const locked: ServiceBusReceivedMessage[] = await f.client.createReceiver('orders').receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(locked.map((m) => m.messageId)).toEqual(['a']);
    await shut(f); // the lock is never settled

    f = await open(dir);
    try {
      expect(f.emulator.stats().find((s) => s.path === 'orders')).toMatchObject({ active: 2, locked: 0 });
      const got = await receive(f, 'orders', 2, 2000, { receiveMode: 'receiveAndDelete' });
      expect(got.map((m) => [m.messageId, m.body, m.deliveryCount])).toEqual([
        ['a', 'settled later', 1], // the lost lock counted as a failed delivery
        ['b', 'untouched', 0],
      ]);
      // Duplicate detection survives the restart too.
      await f.client.createSender('orders').sendMessages({ body: 'again', messageId: 'b' });
      expect(await receive(f, 'orders', 1, 300)).toHaveLength(0);
    } finally {
      await shut(f);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('never loses a send the client saw accepted when the process is killed (kill -9)', async () => {
  const dir = newDir();
  const script = `
    const { Database } = require(${JSON.stringify(path.join(__dirname, '../../src/core/sqlite'))});
    const { ServiceBusEmulator } = require(${JSON.stringify(path.join(__dirname, '../../src/servicebus'))});
    const db = new Database(${JSON.stringify(path.join(dir, 'bus.db'))});
    db.pragma('journal_mode = WAL');
    const emulator = new ServiceBusEmulator({ db, entities: ${JSON.stringify(entities)}, sasKeyName: '${keyName}', sasKey: '${key}' });
    emulator.listen(0).then(() => process.stdout.write(emulator.connectionString() + '\\n'));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const connectionString = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    });
    const client = new ServiceBusClient(connectionString, { retryOptions: { maxRetries: 0 } });
    const sender = client.createSender('orders');
    await Promise.all(Array.from({ length: 50 }, (_, i) => sender.sendMessages({ body: i, messageId: `k${i}` })));
    await client.close();
  } finally {
    child.kill('SIGKILL');
    await exited;
  }

  const f = await open(dir);
  try {
    const got = await receive(f, 'orders', 50, 3000, { receiveMode: 'receiveAndDelete' });
    expect(got.map((m) => m.messageId).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `k${i}`).sort());
  } finally {
    await shut(f);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Service Bus on the embedded host: the app publishes with the real @azure/service-bus SDK,
// serviceBusTrigger functions consume with peek-lock semantics, `serviceBus` output bindings are
// delivered, duplicates are dropped by messageId, and poison messages end in the dead-letter queue.
import path from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { HostProcess, readEffects, startHost, tempDir, waitFor } from '../support/host';

let host: HostProcess;
const effects = path.join(tempDir('rt-sb-fx-'), 'effects.jsonl');
const sb = (kind: string) => readEffects(effects).filter((e) => e.kind === kind);

beforeAll(async () => {
  host = await startHost({ env: { TEST_EFFECTS_FILE: effects } });
});
afterAll(() => host.stop());

const publish = (body: unknown) => fetch(`${host.api}/publish`, { method: 'POST', body: JSON.stringify(body) });

test('a published message reaches the topic trigger once, with host-shaped metadata, and its output binding is delivered', async () => {
  expect((await publish({ id: 'm-1' })).status).toBe(202);
  // Same messageId again inside the duplicate-detection window: dropped by the broker.
  expect((await publish({ id: 'm-1', note: 'duplicate' })).status).toBe(202);
  await waitFor(async () => (sb('audit').some((e) => e.processed === 'm-1') ? true : undefined), 'audit message for m-1');
  await new Promise((r) => setTimeout(r, 300));
  const seen = sb('sb').filter((e) => e.id === 'm-1');
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ messageId: 'm-1', deliveryCount: 1, source: 'publish', subject: 'test' });
  expect(sb('audit').filter((e) => e.processed === 'm-1')).toHaveLength(1);
});

test('a failing handler is retried with a growing deliveryCount, then dead-lettered with the reason', async () => {
  await publish({ id: 'poison-1', fail: true });
  const attempts = await waitFor(async () => {
    const a = sb('sb').filter((e) => e.id === 'poison-1');
    return a.length >= 10 ? a : undefined;
  }, 'ten delivery attempts');
  expect(attempts.map((a) => a.deliveryCount)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  const client = new ServiceBusClient(host.serviceBus);
  try {
    const receiver = client.createReceiver('events', 'processor', { subQueueType: 'deadLetter' });
    const [dead] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(dead).toBeDefined();
    expect(dead.messageId).toBe('poison-1');
    expect(dead.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead.body).toEqual({ id: 'poison-1', fail: true });
    await receiver.completeMessage(dead);
    await receiver.close();
  } finally {
    await client.close();
  }
  // No eleventh attempt.
  expect(sb('sb').filter((e) => e.id === 'poison-1')).toHaveLength(10);
});

test('messages accepted before a SIGKILL are delivered after the restart', async () => {
  const dataDir = tempDir('rt-sb-crash-');
  const fx = path.join(tempDir('rt-sb-crash-fx-'), 'effects.jsonl');
  let h = await startHost({ dataDir, env: { TEST_EFFECTS_FILE: fx }, logLevel: 'warning' });
  const client = new ServiceBusClient(h.serviceBus);
  const sender = client.createSender('events');
  // Sent with the SDK; each send resolved, so the broker acknowledged it.
  for (let i = 0; i < 200; i += 20) {
    await sender.sendMessages(Array.from({ length: 20 }, (_, j) => ({ messageId: `c-${i + j}`, body: { id: `c-${i + j}` } })));
  }
  await h.kill();
  await client.close().catch(() => undefined);
  h = await startHost({ dataDir, env: { TEST_EFFECTS_FILE: fx }, logLevel: 'warning' });
  try {
    await waitFor(async () => {
      const ids = new Set(readEffects(fx).filter((e) => e.kind === 'audit').map((e) => e.processed));
      return ids.size === 200 ? ids : undefined;
    }, 'all 200 messages processed after restart', 30_000);
  } finally {
    await h.stop();
  }
});

test('a Service Bus output declared as the return value (`return: output.serviceBusQueue`) is delivered: one message per array element, nothing for undefined', async () => {
  const enqueue = (value: unknown) => fetch(`${host.api}/enqueue-returned`, { method: 'POST', body: JSON.stringify({ value }) });
  for (const value of [{ n: 1 }, [{ n: 2 }, { n: 3 }], 'plain text 4', JSON.stringify([{ n: 5 }, { n: 6 }]), undefined]) {
    expect((await enqueue(value)).status).toBe(202);
  }
  const got = await waitFor(async () => {
    const r = sb('returned');
    return r.length >= 6 ? r : undefined;
  }, 'six returned messages');
  await new Promise((r) => setTimeout(r, 300));
  expect(sb('returned').map((e) => e.message)).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }, { n: 3 }, 'plain text 4', { n: 5 }, { n: 6 }]));
  expect(sb('returned')).toHaveLength(got.length);
  expect(got).toHaveLength(6);
});

// The local console over HTTP, on the console fixture app: the pages answer with what runs, and
// their actions take effect (an event wakes an orchestration, terminate ends one, purge removes
// it, a resubmit moves a dead letter back to its queue).
import path from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { completed, HostProcess, readEffects, startOrchestration, status, tempDir, waitFor } from '../../support/host';
import { page, post, startConsoleHost } from '../../support/console';

let host: HostProcess;
let bus: ServiceBusClient;
const effects = path.join(tempDir('con-fx-'), 'effects.jsonl');

beforeAll(async () => {
  host = await startConsoleHost({ env: { TEST_EFFECTS_FILE: effects } });
  bus = new ServiceBusClient(host.serviceBus);
});
afterAll(async () => {
  await bus?.close();
  await host?.stop();
});

test('/ leads to the console home, which lists the functions by kind, the routes, the services and the app\'s link', async () => {
  const root = await fetch(`${host.url}/`, { redirect: 'manual' });
  expect(root.status).toBe(303);
  expect(root.headers.get('location')).toBe('/console');
  const dev = await fetch(`${host.url}/dev`, { redirect: 'manual' });
  expect([dev.status, dev.headers.get('location')]).toEqual([303, '/console']);
  const home = await page(host, '/console');
  expect(home.status).toBe(200);
  expect(home.text).toContain('console-test-app');
  expect(home.text).toMatch(/\d+ functions: \d+ HTTP, \d+ orchestrations, \d+ activities, 1 entity, 4 Service Bus/);
  expect(home.text).toContain('<a href="/api/poll-target"><code>/api/poll-target</code></a>');
  expect(home.text).toContain('<code>/api/hello/{name:alpha}</code>');
  for (const href of ['/console/instances', '/console/servicebus', '/console/telemetry', '/dev/emails.html?all=true', '/dev/fixture-console']) expect(home.text).toContain(`href="${href}"`);
  expect(home.text).toContain('Fixture console page');
  // The app's own page, in the console's look, escaping what it interpolates.
  const own = await page(host, '/dev/fixture-console?who=%3Cscript%3E');
  expect(own.text).toContain('Hello, &lt;script&gt;.');
  expect(own.text).toContain('href="/console/instances"');
});

test('instances are listed with filters; an event raised from the console wakes the orchestration', async () => {
  expect((await startOrchestration(host, 'approval', 'con-approve-1', 60_000)).status).toBe(202);
  await waitFor(async () => ((await status(host, 'con-approve-1'))?.runtimeStatus === 'Running' ? true : undefined), 'approval running');
  const list = await page(host, '/console/instances?status=Running&name=approval&prefix=con-approve');
  expect(list.text).toContain('href="/console/instances/con-approve-1"');
  expect((await page(host, '/console/instances?status=Completed&prefix=con-approve')).text).not.toContain('con-approve-1');
  const detail = await page(host, '/console/instances/con-approve-1');
  expect(detail.status).toBe(200);
  expect(detail.text).toContain('data-kind="timer"');
  expect(detail.text).toContain('fires at');

  const r = await post(host, '/console/instances/con-approve-1/raise-event', { name: 'approve', payload: '{"by":"console"}' });
  expect(r.status).toBe(303);
  expect(r.location).toMatch(/^\/console\/instances\/con-approve-1\?notice=/);
  const done = await completed(host, 'con-approve-1');
  expect(done.output).toEqual({ approved: true, by: { by: 'console' } });
  const after = await page(host, '/console/instances/con-approve-1');
  expect(after.text).toContain('Event &#39;approve&#39; received');
  expect(after.text).toContain('<span class="badge Completed">Completed</span>');
});

test('a bad payload is refused with a notice; a cross-site post is refused outright', async () => {
  await startOrchestration(host, 'waitForever', 'con-bad-1');
  await waitFor(async () => ((await status(host, 'con-bad-1'))?.runtimeStatus === 'Running' ? true : undefined), 'running');
  const bad = await post(host, '/console/instances/con-bad-1/raise-event', { name: 'never', payload: '{nope' });
  expect(bad.location).toContain('error=1');
  expect(decodeURIComponent(bad.location ?? '')).toContain('not JSON');
  const evil = await post(host, '/console/instances/con-bad-1/terminate', { reason: 'x' }, 'http://evil.example');
  expect(evil.status).toBe(403);
  expect((await status(host, 'con-bad-1'))?.runtimeStatus).toBe('Running');
});

test('terminate ends an instance, purge removes it', async () => {
  await startOrchestration(host, 'waitForever', 'con-term-1');
  await waitFor(async () => ((await status(host, 'con-term-1'))?.runtimeStatus === 'Running' ? true : undefined), 'running');
  // A live instance cannot be purged: the backend refuses, the console says so.
  const early = await post(host, '/console/instances/con-term-1/purge', {});
  expect(early.location).toContain('error=1');
  expect((await post(host, '/console/instances/con-term-1/terminate', { reason: 'from the console' })).status).toBe(303);
  const s = await completed(host, 'con-term-1');
  expect(s.runtimeStatus).toBe('Terminated');
  expect(s.output).toBe('from the console');
  const purged = await post(host, '/console/instances/con-term-1/purge', {});
  expect(purged.location).toMatch(/^\/console\/instances\?notice=/);
  expect(await status(host, 'con-term-1')).toBeUndefined();
  expect((await page(host, '/console/instances/con-term-1')).status).toBe(404);
});

test('the timeline folds each activity into one row and shows retries', async () => {
  await startOrchestration(host, 'retrying', 'con-retry-1', { failures: 2, attempts: 3 });
  expect((await completed(host, 'con-retry-1')).output).toEqual({ ok: true, attempt: 3 });
  const detail = (await page(host, '/console/instances/con-retry-1')).text;
  const activityRows = detail.match(/<tr class="(ok|fail|wait)" data-kind="activity">/g) ?? [];
  expect(activityRows).toEqual(['<tr class="fail" data-kind="activity">', '<tr class="fail" data-kind="activity">', '<tr class="ok" data-kind="activity">']);
  expect(detail).toContain('retry, attempt 2');
  expect(detail).toContain('retry, attempt 3');
  expect(detail).toContain('flaky failure 1');
  expect(detail).toContain('<details><summary>raw</summary>');
});

test('sub-orchestrations link to the child instance', async () => {
  await startOrchestration(host, 'parent', 'con-parent-1');
  await completed(host, 'con-parent-1');
  const detail = (await page(host, '/console/instances/con-parent-1')).text;
  expect(detail).toContain('href="/console/instances/con-parent-1-child"');
  const child = (await page(host, '/console/instances/con-parent-1-child')).text;
  expect(child).toContain('href="/console/instances/con-parent-1"');
});

async function deadLetter(messageId: string): Promise<void> {
  const sender = bus.createSender('parking');
  await sender.sendMessages({ messageId, body: { id: messageId }, applicationProperties: { kind: 'test' } });
  await sender.close();
  const receiver = bus.createReceiver('parking');
  const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  expect(m?.messageId).toBe(messageId);
  await receiver.deadLetterMessage(m, { deadLetterReason: 'TestReason', deadLetterErrorDescription: 'parked by the test' });
  await receiver.close();
}

test('Service Bus: counts, peeked dead letters, and a resubmit that moves a dead letter back to its queue', async () => {
  await deadLetter('park-1');
  const overview = (await page(host, '/console/servicebus')).text;
  expect(overview).toMatch(/data-entity="parking"><td>parking<\/td>[\s\S]*?>0<\/a><\/td>\s*<td class="num fail"><a [^>]*>1<\/a>/);
  expect(overview).toContain('Topic events');
  expect(overview).toContain('subscription processor');
  const dlq = await page(host, '/console/servicebus/messages?entity=parking&queue=deadletter');
  expect(dlq.text).toContain('data-message-id="park-1"');
  expect(dlq.text).toContain('TestReason');
  expect(dlq.text).toContain('&quot;id&quot;: &quot;park-1&quot;');
  const seq = /data-seq="(\d+)" data-message-id="park-1"/.exec(dlq.text)![1];

  const r = await post(host, '/console/servicebus/resubmit', { entity: 'parking', seq });
  expect(r.status).toBe(303);
  expect(decodeURIComponent(r.location ?? '')).toContain('resubmitted to parking');
  expect((await page(host, '/console/servicebus/messages?entity=parking&queue=deadletter')).text).not.toContain('park-1');
  // Back in the queue, as the sender sent it, with a fresh delivery count.
  const receiver = bus.createReceiver('parking');
  const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  expect(back.messageId).toBe('park-1');
  expect(back.body).toEqual({ id: 'park-1' });
  expect(back.applicationProperties).toEqual({ kind: 'test' });
  expect(back.deliveryCount).toBe(0);
  await receiver.completeMessage(back);
  await receiver.close();
  // Twice is refused: it is gone from the dead-letter queue.
  expect((await post(host, '/console/servicebus/resubmit', { entity: 'parking', seq })).location).toContain('error=1');
});

test('Service Bus: a dead letter can be deleted; a subscription\'s dead letters go back to that subscription', async () => {
  await deadLetter('park-2');
  const seq = /data-seq="(\d+)" data-message-id="park-2"/.exec((await page(host, '/console/servicebus/messages?entity=parking&queue=deadletter')).text)![1];
  expect((await post(host, '/console/servicebus/delete', { entity: 'parking', queue: 'deadletter', seq })).status).toBe(303);
  expect((await page(host, '/console/servicebus/messages?entity=parking&queue=deadletter')).text).not.toContain('park-2');

  // The fixture's topic trigger fails a `fail` message until it is dead-lettered.
  await fetch(`${host.api}/publish`, { method: 'POST', body: JSON.stringify({ id: 'poison-con', fail: true }) });
  const path = 'events/Subscriptions/processor';
  const dlqUrl = `/console/servicebus/messages?entity=${encodeURIComponent(path)}&queue=deadletter`;
  const text = await waitFor(async () => {
    const t = (await page(host, dlqUrl)).text;
    return t.includes('data-message-id="poison-con"') ? t : undefined;
  }, 'the poison message in the dead-letter queue');
  expect(text).toContain('MaxDeliveryCountExceeded');
  const seq2 = /data-seq="(\d+)" data-message-id="poison-con"/.exec(text)![1];
  const attempts = () => readEffects(effects).filter((e) => e.kind === 'sb' && e.id === 'poison-con');
  expect(attempts()).toHaveLength(10);
  expect((await post(host, '/console/servicebus/resubmit', { entity: path, seq: seq2 })).status).toBe(303);
  // Delivered again to the subscription's trigger, from a delivery count of 1.
  await waitFor(async () => (attempts().length > 10 ? true : undefined), 'a delivery after the resubmit');
  expect(attempts()[10].deliveryCount).toBe(1);
});

test('telemetry: operations are listed and searchable by a custom dimension, and one reads as a waterfall', async () => {
  await startOrchestration(host, 'sequence', 'con-tel-1', { steps: 2 });
  await completed(host, 'con-tel-1');
  const list = await waitFor(async () => {
    const t = (await page(host, '/console/telemetry?q=con-tel-1')).text;
    return t.includes('/console/telemetry/operations/') ? t : undefined;
  }, 'an operation for con-tel-1');
  const opId = /\/console\/telemetry\/operations\/([0-9a-f]+)/.exec(list)![1];
  expect((await page(host, '/console/telemetry?q=no-such-value-anywhere')).text).toContain('No operation matches.');
  const op = await page(host, `/console/telemetry/operations/${opId}`);
  expect(op.status).toBe(200);
  expect(op.text).toContain('data-kind="request"');
  expect(op.text).toContain('class="bar"');
  // /dev/telemetry stays the JSON view.
  const json = (await (await fetch(`${host.url}/dev/telemetry?operationId=${opId}`)).json()) as { operationId: string }[];
  expect(json.length).toBeGreaterThan(0);
});

test('unknown console pages answer 404, unknown entities too', async () => {
  expect((await page(host, '/console/nope')).status).toBe(404);
  expect((await page(host, '/console/servicebus/messages?entity=events')).status).toBe(404);
});

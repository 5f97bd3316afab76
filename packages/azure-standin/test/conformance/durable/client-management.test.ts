// Managing instances as a Durable Functions app does on Azure: the URLs of the check-status
// response, waitForCompletionOrCreateCheckStatusResponse, paging through getStatusAll and
// getStatusBy, rewind and restart, and the status codes and bodies of the Durable HTTP API for
// each state an instance can be in.
import { EventType, rawHistory, status, waitFor } from '../../support/host';
import { DurableApp, hex32, startDurableApp, statusTimeFormat } from './support';

let app: DurableApp;
beforeAll(async () => {
  app = await startDurableApp();
}, 60_000);
afterAll(() => app?.host.stop());

const json = { 'content-type': 'application/json' };
type Urls = Record<string, string>;
const checkStatusKeys = ['id', 'statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri'];

test('createCheckStatusResponse: 202 with Location and Retry-After, and management URLs that work for every operation', async () => {
  const res = await app.start('waitForGo', 'mgmt-1', { n: 1 });
  expect(res.status).toBe(202);
  const urls = (await res.json()) as Urls;
  // durable-functions copies every management URL of the binding, rewindPostUri included.
  expect(Object.keys(urls).sort()).toEqual([...checkStatusKeys, 'rewindPostUri'].sort());
  expect(res.headers.get('location')).toBe(urls.statusQueryGetUri);
  expect(res.headers.get('retry-after')).toBe('10');
  const query = new URL(urls.statusQueryGetUri).searchParams;
  expect(urls.statusQueryGetUri.startsWith(`${app.host.url}/runtime/webhooks/durabletask/instances/mgmt-1?`)).toBe(true);
  expect([query.get('taskHub'), query.get('connection')]).toEqual(['DurableConformanceHub', 'Storage']);
  expect(query.get('code')).toBeTruthy();
  await app.statusIs('mgmt-1', 'Running');

  // Running: 202, Location is the URL asked, Retry-After 5.
  const running = await fetch(urls.statusQueryGetUri);
  expect(running.status).toBe(202);
  expect(running.headers.get('location')).toBe(urls.statusQueryGetUri);
  expect(running.headers.get('retry-after')).toBe('5');
  expect(await running.json()).toMatchObject({ name: 'waitForGo', instanceId: 'mgmt-1', runtimeStatus: 'Running', input: { n: 1 }, customStatus: { stage: 'waiting' }, output: null });

  const post = (template: string, init: RequestInit = {}) => fetch(template.replace('{text}', 'by%20test').replace('{eventName}', 'go'), { method: 'POST', ...init });
  expect((await post(urls.suspendPostUri)).status).toBe(202);
  await app.statusIs('mgmt-1', 'Suspended');
  const suspendAgain = await post(urls.suspendPostUri);
  expect(suspendAgain.status).toBe(500);
  expect(await suspendAgain.json()).toMatchObject({
    Message: 'Something went wrong while processing your request',
    ExceptionMessage: 'Cannot suspend the orchestration instance mgmt-1 because instance is in the Suspended state.',
    ExceptionType: 'System.InvalidOperationException',
  });
  expect((await post(urls.resumePostUri)).status).toBe(202);
  await app.statusIs('mgmt-1', 'Running');
  const resumeAgain = await post(urls.resumePostUri);
  expect(resumeAgain.status).toBe(500);
  expect(await resumeAgain.json()).toMatchObject({ ExceptionMessage: 'Cannot resume the orchestration instance mgmt-1 because instance is in the Running state.' });

  // A running instance can be neither rewound nor purged.
  const rewind = await post(urls.rewindPostUri);
  expect(rewind.status).toBe(412);
  expect(await rewind.json()).toBe('This orchestration has status Running, but only orchestrations in the "Failed" state can be rewound.');
  const purge = await fetch(urls.purgeHistoryDeleteUri, { method: 'DELETE' });
  expect(purge.status).toBe(412);
  expect(await purge.json()).toBe('Only orchestrations in a terminal state can be purged, but the orchestration with instance ID mgmt-1 has status Running');

  // Events: JSON only.
  const text = await post(urls.sendEventPostUri, { body: 'hello', headers: { 'content-type': 'text/plain' } });
  expect(text.status).toBe(400);
  expect(await text.json()).toEqual({ Message: 'Only application/json request content is supported' });
  const broken = await post(urls.sendEventPostUri, { body: '{"a":', headers: json });
  expect(broken.status).toBe(400);
  expect(await broken.json()).toMatchObject({ Message: 'Invalid JSON content' });
  expect((await post(urls.sendEventPostUri, { body: '{"ok":true}', headers: json })).status).toBe(202);

  expect(await app.finished('mgmt-1')).toMatchObject({ runtimeStatus: 'Completed', output: { ok: true }, customStatus: { stage: 'done' } });
  const done = await fetch(urls.statusQueryGetUri);
  expect(done.status).toBe(200);
  expect(done.headers.get('location')).toBeNull();
  // A finished instance: 410 Gone for events and control operations.
  for (const template of [urls.sendEventPostUri, urls.terminatePostUri, urls.suspendPostUri, urls.resumePostUri]) {
    const r = await post(template, { body: '{}', headers: json });
    expect([template, r.status, await r.text()]).toEqual([template, 410, '']);
  }

  // Restart: the same orchestrator and input under a new 32-hex id, answered like a start.
  const restarted = await post(urls.restartPostUri);
  expect(restarted.status).toBe(202);
  const again = (await restarted.json()) as Urls;
  expect(Object.keys(again)).toEqual(checkStatusKeys);
  expect(again.id).toMatch(hex32);
  expect(restarted.headers.get('location')).toBe(again.statusQueryGetUri);
  expect(restarted.headers.get('retry-after')).toBe('10');
  await app.statusIs(again.id, 'Running');
  expect(await status(app.host, again.id)).toMatchObject({ name: 'waitForGo', input: { n: 1 } });

  // Restart under the same id: a new execution of the finished instance; refused while it runs.
  const same = await post(`${urls.restartPostUri}&restartWithNewInstanceId=false`);
  expect(same.status).toBe(202);
  expect(((await same.json()) as Urls).id).toBe('mgmt-1');
  await app.statusIs('mgmt-1', 'Running');
  expect((await rawHistory(app.host, 'mgmt-1'))!.filter((e) => e.EventType === EventType.EventRaised)).toHaveLength(0);
  const conflict = await post(`${urls.restartPostUri}&restartWithNewInstanceId=false`);
  expect(conflict.status).toBe(409);
  expect(await conflict.json()).toMatchObject({ Message: 'A non-terminal instance with this instance ID already exists.' });

  // Terminate with a reason, then purge.
  expect((await fetch(urls.terminatePostUri.replace('{text}', 'enough'), { method: 'POST' })).status).toBe(202);
  expect(await app.finished('mgmt-1')).toMatchObject({ runtimeStatus: 'Terminated', output: 'enough' });
  const history = (await status(app.host, 'mgmt-1', true))!.historyEvents!;
  expect(history.slice(-2).map((e) => [e.EventType, e.Input ?? e.OrchestrationStatus])).toEqual([['ExecutionTerminated', 'enough'], ['ExecutionCompleted', 'Terminated']]);
  const purged = await fetch(urls.purgeHistoryDeleteUri, { method: 'DELETE' });
  expect([purged.status, await purged.json()]).toEqual([200, { instancesDeleted: 1 }]);
  const gone = await fetch(urls.statusQueryGetUri);
  expect([gone.status, await gone.text()]).toEqual([404, '']);
  expect((await fetch(urls.purgeHistoryDeleteUri, { method: 'DELETE' })).status).toBe(404);
  await fetch(again.terminatePostUri.replace('{text}', 'cleanup'), { method: 'POST' });
});

test('an unknown instance: 404 with no body, the extension\'s message for rewind, 400 for restart', async () => {
  for (const [method, path] of [['GET', 'instances/nobody'], ['POST', 'instances/nobody/terminate'], ['POST', 'instances/nobody/suspend'], ['POST', 'instances/nobody/resume'], ['DELETE', 'instances/nobody']]) {
    const r = await app.api(path, { method });
    expect([path, r.status, await r.text()]).toEqual([path, 404, '']);
  }
  const raise = await app.api('instances/nobody/raiseEvent/go', { method: 'POST', body: '{}', headers: json });
  expect(raise.status).toBe(404);
  const rewind = await app.api('instances/nobody/rewind?reason=x', { method: 'POST' });
  expect([rewind.status, await rewind.json()]).toEqual([404, 'No orchestration with instance ID "$nobody" found.']);
  const restart = await app.api('instances/nobody/restart', { method: 'POST' });
  expect(restart.status).toBe(400);
  expect(await restart.json()).toMatchObject({ Message: 'InstanceId does not match a valid orchestration instance.', ExceptionType: 'System.ArgumentException' });
  // durable-functions: getStatus rejects, terminate and raiseEvent report the missing instance.
  expect(((await (await app.client('status', 'nobody')).json()) as { error: string }).error).toContain('HTTP 404');
  expect(((await (await app.client('terminate', 'nobody')).json()) as { error: string }).error).toBe("No instance with ID 'nobody' found.");
});

test('starting an instance id that is running: 409, as with the default overridableExistingInstanceStates', async () => {
  await app.start('waitForGo', 'dup-1');
  await app.statusIs('dup-1', 'Running');
  const again = await app.api('orchestrators/waitForGo/dup-1', { method: 'POST' });
  expect([again.status, await again.json()]).toEqual([409, { Message: 'An Orchestration instance with the status Running already exists.' }]);
  expect((await app.client('terminate', 'dup-1')).status).toBe(202);
  expect((await app.finished('dup-1')).runtimeStatus).toBe('Terminated');
  // A finished instance may be replaced.
  expect((await app.api('orchestrators/waitForGo/dup-1', { method: 'POST' })).status).toBe(202);
  await app.statusIs('dup-1', 'Running');
  await app.client('terminate', 'dup-1');
});

test('waitForCompletionOrCreateCheckStatusResponse: the output when done in time, the check-status response otherwise, the status when failed', async () => {
  const done = await fetch(`${app.host.api}/start-and-wait/chain/wait-1?timeoutMs=20000`, { method: 'POST', body: '["Dakar"]' });
  expect([done.status, await done.json()]).toEqual([200, ['Hello Dakar!']]);

  const late = await fetch(`${app.host.api}/start-and-wait/waitForGo/wait-2?timeoutMs=300`, { method: 'POST' });
  expect(late.status).toBe(202);
  const urls = (await late.json()) as Urls;
  expect(urls.id).toBe('wait-2');
  expect(late.headers.get('location')).toBe(urls.statusQueryGetUri);
  expect((await fetch(urls.statusQueryGetUri)).status).toBe(202);

  const failed = await fetch(`${app.host.api}/start-and-wait/failingChain/wait-3?timeoutMs=20000`, { method: 'POST', body: '"wait-3"' });
  expect(failed.status).toBe(500);
  expect(await failed.json()).toMatchObject({ instanceId: 'wait-3', runtimeStatus: 'Failed' });
  await app.client('terminate', 'wait-2');
});

test('custom status: set by the orchestrator, visible while it runs and after it completed', async () => {
  await app.start('waitForGo', 'custom-1');
  await waitFor(async () => ((await status(app.host, 'custom-1'))?.runtimeStatus === 'Running' ? true : undefined), 'custom-1 running');
  expect((await status(app.host, 'custom-1'))!.customStatus).toEqual({ stage: 'waiting' });
  const viaClient = (await (await app.client('status', 'custom-1')).json()) as { customStatus: unknown; runtimeStatus: string };
  expect(viaClient).toMatchObject({ runtimeStatus: 'Running', customStatus: { stage: 'waiting' } });
  await app.client('raise', 'custom-1', { event: 'go' }, 42);
  expect(await app.finished('custom-1')).toMatchObject({ output: 42, customStatus: { stage: 'done' } });
});

describe('rewind', () => {
  test('a failed activity is run again, results that succeeded replay from history, and the instance completes', async () => {
    await app.start('failingChain', 'rewind-1', 'rewind-1');
    const failed = await app.finished('rewind-1');
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toContain('flaky run 1 of rewind-1 failed');

    expect((await app.client('rewind', 'rewind-1', { reason: 'fixed' })).status).toBe(202);
    // The rewind is recorded before the client returns: the instance is no longer Failed.
    expect((await status(app.host, 'rewind-1'))!.runtimeStatus).not.toBe('Failed');
    expect(await app.finished('rewind-1')).toMatchObject({
      runtimeStatus: 'Completed', output: { first: 'Hello rewind-1 first!', run: 2, last: 'Hello rewind-1 last!' },
    });
    expect(app.effects('hello').filter((e) => e.name === 'rewind-1 first')).toHaveLength(1);
    expect(app.effects('flaky').filter((e) => e.key === 'rewind-1')).toHaveLength(2);
    // The history keeps the rewound rows as GenericEvents, and the rewind's reason.
    const history = (await status(app.host, 'rewind-1', true))!.historyEvents!;
    expect(history.filter((e) => e.EventType === 'GenericEvent').map((e) => e.Data)).toEqual([null, null, null, 'fixed']);
    expect(history.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(0);
    expect(history.filter((e) => e.EventType === 'TaskCompleted').map((e) => e.FunctionName)).toEqual(['hello', 'flaky', 'hello']);
  });

  test('a failed sub-orchestration is rewound with its parent', async () => {
    await app.start('failingParent', 'rewind-parent');
    expect((await app.finished('rewind-parent')).runtimeStatus).toBe('Failed');
    expect((await status(app.host, 'rewind-parent-child'))!.runtimeStatus).toBe('Failed');
    expect((await app.client('rewind', 'rewind-parent', { reason: 'again' })).status).toBe(202);
    expect(await app.finished('rewind-parent')).toMatchObject({
      runtimeStatus: 'Completed',
      output: { before: 'Hello rewind-parent parent!', child: { first: 'Hello rewind-parent-key first!', run: 2, last: 'Hello rewind-parent-key last!' } },
    });
    expect((await status(app.host, 'rewind-parent-child'))!.runtimeStatus).toBe('Completed');
    expect(app.effects('hello').filter((e) => e.name === 'rewind-parent parent' || e.name === 'rewind-parent-key first')).toHaveLength(2);
    expect(app.effects('flaky').filter((e) => e.key === 'rewind-parent-key')).toHaveLength(2);
  });

  test('after a retry policy gave up, one more attempt runs', async () => {
    await app.start('retryActivity', 'rewind-retry', { key: 'rewind-retry', failures: 2, attempts: 2, firstRetryMs: 100 });
    expect((await app.finished('rewind-retry')).runtimeStatus).toBe('Failed');
    expect((await app.client('rewind', 'rewind-retry')).status).toBe(202);
    expect(await app.finished('rewind-retry')).toMatchObject({ runtimeStatus: 'Completed', output: { run: 3 } });
    expect(app.effects('flaky').filter((e) => e.key === 'rewind-retry')).toHaveLength(3);
  });

  test('only a Failed instance: 412 with the extension\'s message, which durable-functions rejects with', async () => {
    await app.start('chain', 'rewind-done', ['Quito']);
    await app.finished('rewind-done');
    const r = await app.api('instances/rewind-done/rewind?reason=no', { method: 'POST' });
    expect([r.status, await r.json()]).toEqual([412, 'This orchestration has status Completed, but only orchestrations in the "Failed" state can be rewound.']);
    const viaClient = await app.client('rewind', 'rewind-done');
    expect([viaClient.status, await viaClient.json()]).toEqual([500, { error: 'This orchestration has status Completed, but only orchestrations in the "Failed" state can be rewound.' }]);
  });
});

describe('listing instances', () => {
  const ids = Array.from({ length: 105 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
  let from: string;

  beforeAll(async () => {
    from = new Date(Date.now() - 1).toISOString();
    for (let i = 0; i < ids.length; i += 35) {
      await Promise.all(ids.slice(i, i + 35).map((id) => app.api(`orchestrators/fanOutFanIn/${id}`, { method: 'POST', body: '1', headers: json })));
    }
    await waitFor(async () => {
      const r = await app.api('instances/?instanceIdPrefix=page-&runtimeStatus=Completed&top=1000');
      return ((await r.json()) as unknown[]).length === ids.length ? true : undefined;
    }, 'all 105 instances to complete', 60_000);
  }, 90_000);

  test('pages of top (default 100), the continuation token in the request and response header, empty on the last page', async () => {
    const first = await app.api('instances/?instanceIdPrefix=page-');
    const firstPage = (await first.json()) as { instanceId: string; input: unknown; createdTime: string }[];
    expect(firstPage.map((s) => s.instanceId)).toEqual(ids.slice(0, 100));
    expect(firstPage[0].input).toBe(1); // showInput defaults to true
    expect(firstPage[0].createdTime).toMatch(statusTimeFormat);
    const token = first.headers.get('x-ms-continuation-token');
    expect(token).toBeTruthy();
    const second = await app.api('instances/?instanceIdPrefix=page-', { headers: { 'x-ms-continuation-token': token! } });
    expect(((await second.json()) as { instanceId: string }[]).map((s) => s.instanceId)).toEqual(ids.slice(100));
    expect(second.headers.get('x-ms-continuation-token')).toBe('');

    const sizes: number[] = [];
    let next: string | null = null;
    do {
      const r: Response = await app.api('instances/?instanceIdPrefix=page-&top=40&showInput=false', { headers: next ? { 'x-ms-continuation-token': next } : {} });
      const page = (await r.json()) as { input: unknown }[];
      sizes.push(page.length);
      expect(page.every((s) => s.input === null)).toBe(true);
      next = r.headers.get('x-ms-continuation-token');
    } while (next);
    expect(sizes).toEqual([40, 40, 25]);
  });

  test('runtimeStatus filters (comma-separated; unknown names are ignored)', async () => {
    const count = async (q: string) => ((await (await app.api(`instances/?instanceIdPrefix=page-&top=1000&${q}`)).json()) as unknown[]).length;
    expect(await count('runtimeStatus=Completed')).toBe(105);
    expect(await count('runtimeStatus=Running,Failed')).toBe(0);
    expect(await count('runtimeStatus=Failed,Completed')).toBe(105);
    expect(await count('runtimeStatus=NoSuchStatus')).toBe(105);
  });

  test('durable-functions getStatusAll and getStatusBy follow the continuation tokens past 100 instances', async () => {
    const all = (await (await app.client('all')).json()) as { count: number; ids: string[] };
    expect(new Set(all.ids).size).toBe(all.count);
    expect(all.ids.filter((id) => id.startsWith('page-'))).toEqual(ids);
    const by = (await (await app.client('by', undefined, { createdTimeFrom: from, runtimeStatus: 'Completed' })).json()) as { count: number; ids: string[] };
    // Created since the first page's start and completed: exactly these.
    expect(by.ids).toEqual(ids);
    expect(by.count).toBe(105);
  });
});

test('purge by filter: createdTimeFrom is required; terminal statuses filter, and none means every instance (as Azure Storage does)', async () => {
  const missing = await app.api('instances/', { method: 'DELETE' });
  expect([missing.status, await missing.json()]).toEqual([400, "Please provide value for 'createdTimeFrom' parameter."]);
  const from = new Date(Date.now() - 1).toISOString();
  for (const id of ['purge-a', 'purge-b', 'purge-c']) await app.start('waitForGo', id);
  for (const id of ['purge-a', 'purge-b', 'purge-c']) await app.statusIs(id, 'Running');
  for (const id of ['purge-a', 'purge-b']) await app.client('terminate', id);
  for (const id of ['purge-a', 'purge-b']) await app.statusIs(id, 'Terminated');
  const q = `createdTimeFrom=${encodeURIComponent(from)}`;
  const terminated = await app.api(`instances/?${q}&runtimeStatus=Terminated`, { method: 'DELETE' });
  expect([terminated.status, await terminated.json()]).toEqual([200, { instancesDeleted: 2 }]);
  expect(await status(app.host, 'purge-a')).toBeUndefined();
  expect((await status(app.host, 'purge-c'))!.runtimeStatus).toBe('Running');
  expect((await app.api(`instances/?${q}&runtimeStatus=Terminated`, { method: 'DELETE' })).status).toBe(404);
  // Running is not a terminal status: left out of the filter, which is then empty, so everything goes.
  const running = await app.api(`instances/?${q}&runtimeStatus=Running`, { method: 'DELETE' });
  expect([running.status, await running.json()]).toEqual([200, { instancesDeleted: 1 }]);
  expect(await status(app.host, 'purge-c')).toBeUndefined();
});

test('durable-functions purgeInstanceHistory: 404 reads as nothing deleted', async () => {
  await app.start('chain', 'purge-js', ['Lagos']);
  await app.finished('purge-js');
  expect(await (await app.client('purge', 'purge-js')).json()).toEqual({ instancesDeleted: 1 });
  expect(await (await app.client('purge', 'purge-js')).json()).toEqual({ instancesDeleted: 0 });
});

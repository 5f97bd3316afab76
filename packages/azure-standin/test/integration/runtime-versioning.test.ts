// Orchestration versioning on the embedded runtime, as the Durable extension applies host.json's
// defaultVersion / versionMatchStrategy / versionFailureStrategy; the version is set through the
// host's app-setting override (AzureFunctionsJobHost__…), as an Azure deployment slot would.
import { completed, EventType, HostProcess, rawHistory, startHost, startOrchestration, status, tempDir, waitFor } from '../support/host';

const versionSetting = 'AzureFunctionsJobHost__extensions__durableTask__defaultVersion';
const raise = (h: HostProcess, id: string, event: string) =>
  fetch(`${h.api}/client/raise/${encodeURIComponent(id)}?event=${event}`, { method: 'POST', body: 'null' });
// The version is in the stored ExecutionStarted (the status API's history leaves it out, as the extension does).
const started = async (h: HostProcess, id: string) =>
  (await rawHistory(h, id))?.find((e) => e.EventType === EventType.ExecutionStarted);

jest.setTimeout(60_000);

test('new instances get the worker\'s version; a newer one waits, untouched, for a worker that knows it', async () => {
  const dataDir = tempDir('rt-version-');
  const v1 = await startHost({ dataDir, env: { [versionSetting]: '1.0' } });
  try {
    await startOrchestration(v1, 'versioned', 'ver-old');
    await startOrchestration(v1, 'versioned', 'ver-new', undefined, '2.0');
    await startOrchestration(v1, 'versioned', 'ver-pinned', undefined, '0.9');
    await raise(v1, 'ver-old', 'go');
    await raise(v1, 'ver-pinned', 'go');
    expect(await completed(v1, 'ver-old')).toMatchObject({ runtimeStatus: 'Completed', output: { version: '1.0', child: '1.0' } });
    // An explicit older version is kept; its sub-orchestration gets the worker's default.
    expect(await completed(v1, 'ver-pinned')).toMatchObject({ runtimeStatus: 'Completed', output: { version: '0.9', child: '1.0' } });
    await raise(v1, 'ver-new', 'go');
    await waitFor(async () => (v1.output().includes("orchestration 'ver-new' (versioned) left for another worker") ? true : undefined), 'the rejection of ver-new');
    expect((await status(v1, 'ver-new'))?.runtimeStatus).toBe('Pending');
  } finally {
    await v1.stop();
  }
  // The deployment of version 2.0: the waiting instance runs, with the event raised before.
  const v2 = await startHost({ dataDir, env: { [versionSetting]: '2.0' } });
  try {
    expect(await completed(v2, 'ver-new')).toMatchObject({ runtimeStatus: 'Completed', output: { version: '2.0', child: '2.0' } });
    expect(await started(v2, 'ver-old')).toMatchObject({ Version: '1.0' });
  } finally {
    await v2.stop();
  }
});

test('versionFailureStrategy Fail fails a newer instance instead of leaving it waiting', async () => {
  const h = await startHost({ env: { [versionSetting]: '1.0', AzureFunctionsJobHost__extensions__durableTask__versionFailureStrategy: 'Fail' } });
  try {
    await startOrchestration(h, 'versioned', 'ver-fail', undefined, '1.1');
    const s = await completed(h, 'ver-fail');
    expect(s.runtimeStatus).toBe('Failed');
    expect(JSON.stringify(s.output)).toContain("its version '1.1' is newer than this worker's version '1.0'");
  } finally {
    await h.stop();
  }
});

test('without a defaultVersion instances have no version and every worker runs them', async () => {
  const h = await startHost();
  try {
    await startOrchestration(h, 'versioned', 'ver-none');
    await raise(h, 'ver-none', 'go');
    expect(await completed(h, 'ver-none')).toMatchObject({ runtimeStatus: 'Completed', output: { version: '', child: '' } });
  } finally {
    await h.stop();
  }
});

test('a host.json override of the wrong type stops the host with the setting named', async () => {
  await expect(startHost({ env: { AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: 'many' } }))
    .rejects.toThrow('AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions must be a number, not "many"');
});

// Hooks and failures as the Node worker runs them (InvocationHandler.ts, startApp.ts,
// terminateWorker.ts) and as the host answers them. The app's hooks act on the hookTarget
// function (GET /api/hooked) and record what they saw; headers steer them:
//   x-throw: the handler throws | x-post: replace-result | clear-error | x-replace-handler | x-pre-throw
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HostProcess, startHost, waitFor } from '../../support/host';
import { AppName, answerWithin, apps, json, logged, request } from './support';

interface HookEvent {
  invocationId: string;
  event: string;
  [k: string]: unknown;
}

const terminateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-')), 'terminate.json');
const hosts = {} as Record<AppName, HostProcess>;
beforeAll(async () => {
  [hosts.buffered, hosts.streaming] = await Promise.all([
    startHost({ appRoot: apps.buffered, env: { CONFORMANCE_TERMINATE_FILE: terminateFile } }),
    startHost({ appRoot: apps.streaming }),
  ]);
});
afterAll(() => Promise.all(Object.values(hosts).map((h) => h.stop())));

/** The hook events of the invocations a call makes. */
async function eventsOf(name: AppName, call: () => Promise<unknown>): Promise<HookEvent[]> {
  const before = (await json<{ events: HookEvent[] }>(`${hosts[name].api}/hook-events`)).events.length;
  await call();
  // The post hooks of a streamed invocation may still be running when its response has arrived.
  return waitFor(async () => {
    const events = (await json<{ events: HookEvent[] }>(`${hosts[name].api}/hook-events`)).events.slice(before);
    return events.length > 0 && events.some((e) => e.event === 'post' || e.event === 'pre') ? events : undefined;
  }, 'hook events', 5000);
}

const hooked = (name: AppName, headers: Record<string, string> = {}) => request(`${hosts[name].api}/hooked`, { headers });

describe.each(['buffered', 'streaming'] as const)('%s app', (name) => {
  test('order: inputs, preInvocation hooks in turn, handler, postInvocation hooks; post sees result and error === null', async () => {
    let status = 0;
    const events = await eventsOf(name, async () => (status = (await hooked(name)).status));
    expect(status).toBe(200);
    expect(events.map((e) => e.event)).toEqual(['pre', 'pre2', 'handler', 'post']);
    expect(new Set(events.map((e) => e.invocationId)).size).toBe(1);
    // The first hook saw the converted request; hookData is read-only and the same object for
    // the second pre hook and the post hook.
    expect(events[0]).toMatchObject({ inputIsRequest: true, hookDataReadOnly: true });
    expect(events[1]).toMatchObject({ sawFirstPre: true });
    expect(events[3]).toMatchObject({ resultIsNull: false, result: { jsonBody: { handled: true } }, errorIsNull: true, errorIsUndefined: false, sameHookData: true });
  });

  test('a postInvocation hook can replace the result, and clear the error', async () => {
    const replaced = await hooked(name, { 'x-post': 'replace-result' });
    expect([replaced.status, replaced.body.toString()]).toEqual([299, 'from the postInvocation hook']);
    const recovered = await hooked(name, { 'x-throw': '1', 'x-post': 'clear-error' });
    expect([recovered.status, recovered.body.toString()]).toEqual([203, 'recovered']);
  });

  test('a preInvocation hook can replace the handler', async () => {
    let body = '';
    const events = await eventsOf(name, async () => (body = (await hooked(name, { 'x-replace-handler': '1' })).body.toString()));
    expect(body).toBe('from the replaced handler');
    expect(events.map((e) => e.event)).toEqual(['pre', 'pre2', 'post']);
  });
});

describe('buffered app (the host\'s RPC path)', () => {
  test('a thrown error reaches the post hooks as error, with result null', async () => {
    const events = await eventsOf('buffered', () => hooked('buffered', { 'x-throw': '1' }));
    expect(events.find((e) => e.event === 'post')).toMatchObject({ resultIsNull: true, errorIsNull: false, error: 'handler failed' });
  });

  test('an unhandled error is a bare 500, logged as a failed execution', async () => {
    for (const route of ['throws', 'throws-string']) {
      const r = await request(`${hosts.buffered.api}/${route}`);
      expect([r.status, r.body.length]).toEqual([500, 0]);
    }
    await logged(hosts.buffered, /Executed 'Functions\.throws' \(Failed, Id=[0-9a-f-]{36}, Duration=[\d.]+ms\).*error=kaboom/);
    // The worker fails an invocation for anything thrown, not only Errors.
    await logged(hosts.buffered, /Executed 'Functions\.throwsString' \(Failed, Id=[0-9a-f-]{36}, Duration=[\d.]+ms\).*error=a string, not an Error/);
  });

  test('a successful execution is logged as the host logs it', async () => {
    await request(`${hosts.buffered.api}/which`);
    await logged(hosts.buffered, /Executed 'Functions\.whichApp' \(Succeeded, Id=[0-9a-f-]{36}, Duration=[\d.]+ms\)/);
  });

  test('a handler that returns nothing answers 204', async () => {
    const r = await request(`${hosts.buffered.api}/nothing`);
    expect([r.status, r.body.length]).toEqual([204, 0]);
  });

  test('a preInvocation hook that throws fails the invocation: no handler, no post hooks, 500', async () => {
    let status = 0;
    const events = await eventsOf('buffered', async () => (status = (await hooked('buffered', { 'x-pre-throw': '1' })).status));
    expect(status).toBe(500);
    expect(events.map((e) => e.event)).toEqual(['pre']);
    await logged(hosts.buffered, /Executed 'Functions\.hookTarget' \(Failed, .*error=preInvocation hook failed/);
  });

  test('appStart and appTerminate share one hookData object', async () => {
    const { appStart } = await json<{ appStart: { token: string } }>(`${hosts.buffered.api}/hook-events`);
    expect(appStart.token).toMatch(/^start-/);
    await hosts.buffered.stop();
    // terminateWorker hands appTerminate the worker's appLevelOnlyHookData, which appStart filled.
    expect(JSON.parse(fs.readFileSync(terminateFile, 'utf8'))).toEqual({ token: appStart.token, keys: ['token'] });
  });
});

describe('streaming app', () => {
  // With HTTP streaming the library writes the response only when the invocation succeeds with
  // one; otherwise the forwarded request is never answered and the caller waits until the host's
  // proxy times out (240 s of inactivity, then 504). azure-functions-nodejs-library#324.
  test('an unhandled error leaves the caller without an answer, and the host says why', async () => {
    expect(await answerWithin(`${hosts.streaming.api}/throws`, 2500)).toBe('no answer');
    await logged(hosts.streaming, /Executed 'Functions\.throws' \(Failed, Id=[0-9a-f-]{36}, Duration=[\d.]+ms\).*error=kaboom/);
    await logged(hosts.streaming, /'Functions\.throws' \(Id=[0-9a-f-]{36}\) ended without a response: the function failed/);
  });

  test('so does a handler that returns nothing', async () => {
    expect(await answerWithin(`${hosts.streaming.api}/nothing`, 2500)).toBe('no answer');
    await logged(hosts.streaming, /'Functions\.nothing' \(Id=[0-9a-f-]{36}\) ended without a response: the function returned no HTTP response/);
  });

  test('a thrown error still reaches the post hooks as error, with result null', async () => {
    const events = await eventsOf('streaming', async () => {
      await new Promise<void>((resolve) => {
        const req = http.get(`${hosts.streaming.api}/hooked`, { headers: { 'x-throw': '1' }, agent: false });
        req.on('error', () => undefined);
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
    });
    expect(events.find((e) => e.event === 'post')).toMatchObject({ resultIsNull: true, errorIsNull: false, error: 'handler failed' });
  });

  test('no successful invocation is reported as answerless', () => {
    expect(hosts.streaming.output()).not.toMatch(/'Functions\.(hookTarget|whichApp|inspect|cookies)' \(Id=[^)]*\) ended without a response/);
  });
});

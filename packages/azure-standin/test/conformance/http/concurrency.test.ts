// 1,000 requests at once, each on its own connection: every one is answered, with its own
// invocation's answer (on the streaming path the library pairs each forwarded request with its
// invocation by x-ms-invocation-id, so a mix-up would show as a wrong number).
import { HostProcess, startHost } from '../../support/host';
import { AppName, apps, request } from './support';

const hosts = {} as Record<AppName, HostProcess>;
beforeAll(async () => {
  [hosts.buffered, hosts.streaming] = await Promise.all([startHost({ appRoot: apps.buffered, logLevel: 'warning' }), startHost({ appRoot: apps.streaming, logLevel: 'warning' })]);
});
afterAll(() => Promise.all(Object.values(hosts).map((h) => h.stop())));

test.each(['buffered', 'streaming'] as const)('%s app: 1,000 concurrent requests are all answered, each with its own result', async (name) => {
  const n = 1000;
  const replies = await Promise.all(Array.from({ length: n }, (_, i) => request(`${hosts[name].api}/echo/${i}`, { timeoutMs: 60_000 })));
  expect(replies.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
  const bodies = replies.map((r) => JSON.parse(r.body.toString()) as { n: number; invocationId: string });
  expect(bodies.map((b) => b.n)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(new Set(bodies.map((b) => b.invocationId)).size).toBe(n);
  expect(hosts[name].output()).not.toMatch(/WARNING|ERROR/);
}, 90_000);

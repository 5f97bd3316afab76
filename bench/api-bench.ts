// npm run bench:api — requests/s and latency of POST /v1/orders and GET /v1/orders/{id} on the
// local stand-in (Cosmos emulator, Durable saga start, JWT validation), next to a bare Node HTTP
// server answering a fixed body under the same load generator: the ratio is our overhead. Then
// an open-loop run: POSTs arrive at a fixed rate (BENCH_OPEN_RATE/s for BENCH_OPEN_SECONDS s)
// whatever the answers, while the sagas they start run, and each latency counts from the moment
// its request was due, so a slow answer cannot hide the requests queued behind it.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { appTelemetryArgs, startHost, tempDir } from 'azure-standin/testing';
import { httpClient, percentile } from './http-load';
import { mintToken } from 'azure-standin';

const posts = Number(process.env.BENCH_POSTS ?? 1000);
const gets = Number(process.env.BENCH_GETS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const customers = 100;
const openRate = Number(process.env.BENCH_OPEN_RATE ?? 50);
const openSeconds = Number(process.env.BENCH_OPEN_SECONDS ?? 30);
/** BENCH_OPEN_ONLY=1 skips the closed-loop runs: a quicker way to compare open-loop latency. */
const openOnly = process.env.BENCH_OPEN_ONLY === '1';

interface Result { requests: number; seconds: number; rps: number; p50: number; p99: number; statuses: Record<number, number> }

const client = httpClient(concurrency);
const request = client.request;

/** Closed-loop load: `concurrency` workers, each sending its next request when the last answered. */
async function load(n: number, make: (i: number) => Promise<{ status: number }>): Promise<Result> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      const { status } = await make(i);
      latencies.push(performance.now() - s);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: n, seconds, rps: n / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), statuses };
}

interface OpenResult { rate: number; achieved: number; requests: number; p50: number; p99: number; p999: number; max: number; statuses: Record<number, number> }

/** Open-loop load: request i is due at t0 + i/rate and sent then, answered or not; latency from its due time. */
async function openLoop(rate: number, seconds: number, make: (i: number) => Promise<{ status: number }>): Promise<OpenResult> {
  const n = Math.round(rate * seconds);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(make(i).then(({ status }) => {
      latencies.push(performance.now() - due);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate, achieved: n / elapsed, requests: n, p50: percentile(latencies, 50), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9), max: latencies[latencies.length - 1], statuses };
}

/** CPU time (user + system, ms) the host process has used so far; Linux only, else NaN. */
function hostCpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

function printOpen(r: OpenResult): void {
  console.log(`\nopen loop: POST /api/v1/orders at ${r.rate}/s for ${openSeconds} s (sagas running), latency from each request's due time\n`);
  console.log('| requests | achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | statuses |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| ${r.requests} | ${r.achieved.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.p999.toFixed(1)} | ${r.max.toFixed(1)} | ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ')} |`);
}

function orderBody(customerId: string): string {
  return JSON.stringify({
    customer: { id: customerId, email: `${customerId}@example.com`, name: 'Bench Customer' },
    items: [{ sku: 'MUG-CER-350', quantity: 2 }, { sku: 'BOOK-DDD-EN', quantity: 1 }],
    shippingAddress: { name: 'Bench Customer', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
    payment: { method: 'paypal', vaultId: 'vault-ok' },
  });
}

/** Waits until the durable backend has had nothing to do for two polls in a row (at most 5 minutes). */
async function settle(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const { engine } = JSON.parse((await request(`${baseUrl}/admin/host/durable`, 'GET', {})).body) as { engine: Record<string, number> };
    quiet = engine.readyInstances + engine.runningEpisodes + engine.queuedActivities + engine.runningActivities === 0 ? quiet + 1 : 0;
  }
}

async function bare(body: string): Promise<Result> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    await load(500, () => request(url, 'GET', {}));
    return await load(gets, () => request(url, 'GET', {}));
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function main(): Promise<void> {
  // Per-caller rate limiting is switched off: the benchmark is one client at full speed.
  const host = await startHost({ appRoot: path.resolve(__dirname, '..', '..'), dataDir: tempDir('bench-api-'), logLevel: 'warning', env: { API_RATE_LIMIT_PER_SECOND: '0', SIM_CARRIER_TRANSIT_MS: '600000', SIM_CARRIER_DELIVERED_MS: '1200000' }, args: appTelemetryArgs() });
  try {
    const tokens = await Promise.all(Array.from({ length: customers }, (_, i) => mintToken(host.dataDir, { subject: `bench-${i}`, email: `bench-${i}@example.com` })));
    const place = (i: number) =>
      request(`${host.api}/v1/orders`, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % customers]}`, 'idempotency-key': randomUUID() }, orderBody(`bench-${i % customers}`));
    const ids: { id: string; customer: number }[] = [];
    const placeAndKeep = async (i: number) => {
      const r = await place(i);
      if (r.status === 202) ids.push({ id: (JSON.parse(r.body) as { id: string }).id, customer: i % customers });
      return r;
    };
    await load(100, placeAndKeep); // warm-up: JIT, connections, JWKS cache
    if (openOnly) {
      await settle(host.url);
      printOpen(await openLoop(openRate, openSeconds, placeAndKeep));
      return;
    }
    const cpu0 = hostCpuMs(host.proc.pid);
    const postResult = await load(posts, placeAndKeep);
    const cpu1 = hostCpuMs(host.proc.pid);
    // The POSTs started sagas: let them finish, so that the GETs are measured on their own.
    await settle(host.url);
    const cpu2 = hostCpuMs(host.proc.pid);
    const sample = await request(`${host.api}/v1/orders/${ids[0].id}`, 'GET', { authorization: `Bearer ${tokens[ids[0].customer]}` });
    const getResult = await load(gets, (i) => {
      const o = ids[i % ids.length];
      return request(`${host.api}/v1/orders/${o.id}`, 'GET', { authorization: `Bearer ${tokens[o.customer]}` });
    });
    const cpu3 = hostCpuMs(host.proc.pid);
    const bareResult = await bare(sample.body);
    // Open loop last, with the sagas of its own POSTs running beside it.
    const openResult = await openLoop(openRate, openSeconds, placeAndKeep);

    const row = (name: string, r: Result) =>
      `| ${name} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ')} |`;
    console.log(`\nbench:api — ${concurrency} concurrent keep-alive connections, load generator in the same machine\n`);
    console.log('| endpoint | requests | req/s | p50 ms | p99 ms | statuses |');
    console.log('|---|---|---|---|---|---|');
    console.log(row('POST /api/v1/orders (embedded runtime)', postResult));
    console.log(row('GET /api/v1/orders/{id} (embedded runtime)', getResult));
    console.log(row(`bare node:http, fixed ${sample.body.length}-byte body`, bareResult));
    // Where the host's CPU goes: the POST phase includes the saga steps that ran beside the POSTs.
    console.log(`\nhost CPU: ${((cpu1 - cpu0) / posts).toFixed(1)} ms per POST during the POST phase, ${((cpu2 - cpu1) / posts).toFixed(1)} ms per order while the sagas settled (${((cpu2 - cpu0) / posts).toFixed(1)} ms per order in all), ${((cpu3 - cpu2) / gets).toFixed(2)} ms per GET`);
    console.log(`\noverhead vs bare Node: POST ${(bareResult.rps / postResult.rps).toFixed(1)}× fewer req/s, GET ${(bareResult.rps / getResult.rps).toFixed(1)}× fewer req/s`);
    printOpen(openResult);
    const failures = Object.entries({ ...postResult.statuses, ...getResult.statuses, ...openResult.statuses }).filter(([s]) => !['200', '202'].includes(s));
    if (failures.length) throw new Error(`unexpected statuses: ${JSON.stringify(failures)}`);
  } finally {
    client.close();
    await host.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// npm run bench:runtime — throughput and latency of the stand-in's Durable backend, next to the
// same work done as plain in-process async calls with no durability (the ratio is its cost).
import path from 'node:path';
import { EventType, rawHistory, startHost, tempDir } from '../test/support/host';

const orchestrations = Number(process.env.BENCH_ORCHESTRATIONS ?? 1000);
const steps = 5;
const entityOps = Number(process.env.BENCH_ENTITY_OPS ?? 5000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function post(url: string, body?: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

async function durable(): Promise<Record<string, number>> {
  const host = await startHost({ logLevel: 'warning', dataDir: tempDir('bench-rt-') });
  try {
    const rpc = `${host.url}/durabletask`;
    const startAll = async (prefix: string, n: number) => {
      for (let i = 0; i < n; i += 100) {
        const batch = Array.from({ length: Math.min(100, n - i) }, (_, j) => post(`${rpc}/orchestrators/sequence/${prefix}-${i + j}`, { steps }));
        for (const r of await Promise.all(batch)) if (r.status !== 202) throw new Error(`start failed: ${r.status}`);
      }
    };
    // A cheap progress probe (a COUNT by status), so polling does not load the host being measured.
    const completedTotal = async () => ((await (await fetch(`${host.url}/admin/host/durable`)).json()) as { instances: Record<string, number> }).instances.Completed ?? 0;
    const waitAll = async (total: number) => {
      while ((await completedTotal()) < total) await new Promise((r) => setTimeout(r, 10));
    };

    await startAll('warm', 50);
    await waitAll(50);

    const t0 = performance.now();
    await startAll('run', orchestrations);
    await waitAll(50 + orchestrations);
    const seconds = (performance.now() - t0) / 1000;

    // Created-to-completed per instance, from the stored history (the status API, like Azure's,
    // gives whole seconds); the listing pages with the x-ms-continuation-token header.
    const ids: string[] = [];
    let token: string | null = null;
    do {
      const res: Response = await fetch(`${rpc}/instances/?instanceIdPrefix=run-&top=1000`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
      for (const s of (await res.json()) as { instanceId: string }[]) ids.push(s.instanceId);
      token = res.headers.get('x-ms-continuation-token');
    } while (token);
    const latencies: number[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(ids.slice(i, i + 100).map(async (id) => {
        const h = (await rawHistory(host, id)) ?? [];
        const at = (type: EventType) => Date.parse(String(h.find((e) => e.EventType === type)?.Timestamp));
        latencies.push(at(EventType.ExecutionCompleted) - at(EventType.ExecutionStarted));
      }));
    }
    latencies.sort((a, b) => a - b);

    const e0 = performance.now();
    const entities = 50;
    for (let i = 0; i < entityOps; i += 250) {
      await Promise.all(Array.from({ length: Math.min(250, entityOps - i) }, (_, j) => post(`${rpc}/entities/counter/bench-${(i + j) % entities}?op=add`, 1)));
    }
    for (;;) {
      let sum = 0;
      for (let k = 0; k < entities; k++) {
        const r = await fetch(`${rpc}/entities/counter/bench-${k}`);
        if (r.status === 200) sum += (await r.json()) as number;
      }
      if (sum >= entityOps) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const entitySeconds = (performance.now() - e0) / 1000;

    return {
      orchestrationsPerSecond: orchestrations / seconds,
      activitiesPerSecond: (orchestrations * steps) / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      entityOpsPerSecond: entityOps / entitySeconds,
    };
  } finally {
    await host.stop();
  }
}

/** The same orchestration logic as plain awaited calls: no history, no persistence, no replay. */
async function plain(): Promise<Record<string, number>> {
  const step = async (input: { step: number; value: string }) => `${input.value}${input.step}`;
  const run = async () => {
    const t = performance.now();
    let value = '';
    for (let s = 1; s <= steps; s++) value = await step({ step: s, value });
    return performance.now() - t;
  };
  const t0 = performance.now();
  const latencies = (await Promise.all(Array.from({ length: orchestrations }, run))).sort((a, b) => a - b);
  const seconds = (performance.now() - t0) / 1000;
  return { orchestrationsPerSecond: orchestrations / seconds, activitiesPerSecond: (orchestrations * steps) / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  process.stdout.write(`Embedded runtime benchmark: ${orchestrations} sequences of ${steps} activities, ${entityOps} entity signals (node ${process.version}, ${path.basename(process.execPath)})\n`);
  const d = await durable();
  const p = await plain();
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const rows: [string, number, number | undefined][] = [
    ['orchestrations/s', d.orchestrationsPerSecond, p.orchestrationsPerSecond],
    ['activities/s', d.activitiesPerSecond, p.activitiesPerSecond],
    ['p50 start-to-complete ms', d.p50Ms, p.p50Ms],
    ['p99 start-to-complete ms', d.p99Ms, p.p99Ms],
    ['entity operations/s', d.entityOpsPerSecond, undefined],
  ];
  console.log(`${'metric'.padEnd(28)}${'durable (embedded)'.padStart(20)}${'plain async'.padStart(16)}${'ratio'.padStart(10)}`);
  for (const [name, dv, pv] of rows) {
    const ratio = pv === undefined ? '' : name.startsWith('p') ? (dv / Math.max(pv, 0.001)).toFixed(0) + 'x' : (pv / dv).toFixed(0) + 'x';
    console.log(`${name.padEnd(28)}${fmt(dv).padStart(20)}${(pv === undefined ? '-' : fmt(pv)).padStart(16)}${ratio.padStart(10)}`);
  }
  console.log(`goal: >= 300 orchestrations/s (Netherite, single EP3 worker): ${d.orchestrationsPerSecond >= 300 ? 'met' : 'NOT met'}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

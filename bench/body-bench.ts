// npm run bench:bodies — the host's memory while unauthenticated clients push oversized bodies at
// the product's webhooks: four 60 MB uploads at a time (PayPal and carrier, each with a
// Content-Length and chunked), a few rounds, once with FUNCTIONS_REQUEST_BODY_SIZE_LIMIT=262144
// and once with the 100 MB default. RSS is the host process's VmRSS, sampled every 20 ms.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startHost, tempDir } from 'azure-standin/testing';

const appRoot = path.resolve(__dirname, '..', '..');
const bodyBytes = 60 * 1024 * 1024;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const chunk = Buffer.alloc(256 * 1024, 0x7b);
const uploads = [
  { route: '/api/v1/webhooks/paypal', chunked: false },
  { route: '/api/v1/webhooks/paypal', chunked: true },
  { route: '/api/v1/webhooks/carrier', chunked: false },
  { route: '/api/v1/webhooks/carrier', chunked: true },
];

interface Outcome {
  status: string;
  /** Bytes handed to the socket before the answer (or the error). */
  written: number;
}

/** Streams a 60 MB body (from one reused chunk), stopping as soon as the host answers. */
function upload(url: string, chunked: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(bodyBytes) }) };
    const req = http.request(url, { method: 'POST', headers, agent: false });
    let written = 0;
    let settled = false;
    const settle = (status: string) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve({ status, written });
    };
    req.on('response', (res) => {
      res.resume().on('end', () => settle(String(res.statusCode)));
      res.on('error', () => settle(String(res.statusCode)));
    });
    req.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    const closed = new Promise((r) => req.once('close', r));
    void (async () => {
      while (written < bodyBytes && !settled) {
        written += chunk.length;
        const flushed = new Promise<void>((r) => req.write(chunk, () => r()));
        await Promise.race([flushed, closed]);
      }
      if (!settled) req.end();
    })();
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  label: string;
  baseline: number;
  peak: number;
  statuses: Record<string, number>;
  seconds: number;
  /** Median bytes a client got to send before its answer. */
  medianWritten: number;
}

async function run(label: string, limit: string): Promise<Run> {
  // An empty value counts as unset, so an inherited setting cannot leak into the default run.
  const host = await startHost({ appRoot, logLevel: 'warning', dataDir: tempDir('bench-bodies-'), env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: limit, API_RATE_LIMIT_PER_SECOND: '0' } });
  try {
    const pid = host.proc.pid!;
    // Let startup work (provisioning, first telemetry export) settle before the baseline.
    await sleep(3000);
    const idle: number[] = [];
    for (let i = 0; i < 25; i++) {
      idle.push(rssMb(pid));
      await sleep(20);
    }
    const baseline = idle.sort((a, b) => a - b)[12];
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
    const statuses: Record<string, number> = {};
    const written: number[] = [];
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const o of await Promise.all(uploads.map((u) => upload(`${host.url}${u.route}`, u.chunked)))) {
        statuses[o.status] = (statuses[o.status] ?? 0) + 1;
        written.push(o.written);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    // What the last round left behind counts too.
    await sleep(1000);
    clearInterval(sampler);
    written.sort((a, b) => a - b);
    return { label, baseline, peak, statuses, seconds, medianWritten: written[Math.floor(written.length / 2)] };
  } finally {
    await host.stop();
  }
}

async function main(): Promise<void> {
  console.log(`${rounds} rounds of 4 parallel 60 MB unauthenticated POSTs (PayPal and carrier webhooks, Content-Length and chunked)`);
  const limited = await run('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT=262144', '262144');
  const unlimited = await run('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT=104857600 (Azure\'s default)', '104857600');
  const mb = (n: number) => `${n.toFixed(1)} MB`;
  const rows = [limited, unlimited].map((r) => ({
    run: r.label,
    'baseline RSS': mb(r.baseline),
    'peak RSS': mb(r.peak),
    growth: mb(r.peak - r.baseline),
    statuses: Object.entries(r.statuses).map(([s, n]) => `${n}× ${s}`).join(', '),
    'sent before answer (median)': `${(r.medianWritten / 1024).toFixed(0)} KiB`,
    seconds: r.seconds.toFixed(2),
  }));
  console.table(rows);
  const growth = (r: Run) => Math.max(r.peak - r.baseline, 0.1);
  console.log(`Peak RSS growth, default vs limit: ${(growth(unlimited) / growth(limited)).toFixed(1)}× (goal with the limit: < 50 MB, got ${mb(limited.peak - limited.baseline)})`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

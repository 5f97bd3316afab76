// FUNCTIONS_REQUEST_BODY_SIZE_LIMIT on the embedded host: oversized bodies are refused before
// they are buffered (a declared Content-Length at once, a chunked body as soon as it passes the
// limit), the connection is closed, and the Durable client API keeps its own limit.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { HostProcess, startHost } from '../support/host';

const limit = 64 * 1024;
const mb60 = 60 * 1024 * 1024;
let host: HostProcess;
let echoUrl: string;

beforeAll(async () => {
  host = await startHost({ env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(limit) }, logLevel: 'warning' });
  const keys = JSON.parse(fs.readFileSync(path.join(host.dataDir, 'keys.json'), 'utf8')) as { function: string };
  echoUrl = `${host.api}/echo/1/upload?code=${keys.function}`;
});
afterAll(() => host.stop());

interface Upload {
  status: number;
  connection: string | undefined;
  /** Bytes handed to the socket before the response arrived. */
  written: number;
  body: string;
}

/**
 * POSTs `send` bytes, announcing `declare` as Content-Length (chunked when undefined), in chunks
 * of `chunk` bytes with `paceMs` between them; stops sending once the response arrives.
 */
function upload(url: string, o: { send: number; declare?: number; chunk?: number; paceMs?: number; timeoutMs?: number }): Promise<Upload> {
  const chunk = Buffer.alloc(o.chunk ?? 16 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = o.declare === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(o.declare) };
    const req = http.request(url, { method: 'POST', headers, agent: false });
    let written = 0;
    let answered = false;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no response within ${o.timeoutMs ?? 10_000} ms (${written} bytes written)`));
    }, o.timeoutMs ?? 10_000);
    req.on('response', (res) => {
      answered = true;
      const at = written;
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, written: at, body });
      });
      res.on('error', () => undefined);
    });
    // The server may close while we are still sending: only a missing response is a failure.
    req.on('error', (err) => {
      if (answered) return;
      clearTimeout(timer);
      reject(err);
    });
    const closed = new Promise((r) => req.once('close', r));
    void (async () => {
      while (written < o.send && !answered && !req.destroyed) {
        const n = Math.min(chunk.length, o.send - written);
        written += n;
        const flushed = new Promise<void>((r) => req.write(chunk.subarray(0, n), () => r()));
        await Promise.race([flushed, closed]);
        if (o.paceMs) await new Promise((r) => setTimeout(r, o.paceMs));
      }
      // A body shorter than its Content-Length stays open: the server must not wait for the rest.
      if (!answered && !req.destroyed && (o.declare === undefined || o.declare === o.send)) req.end();
    })();
  });
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

test('a Content-Length over the limit is answered 413 at once, without waiting for the body, and the server closes the connection', async () => {
  // A raw socket, so that nothing on the client side closes it: 60 MB announced, 4 KB sent.
  const { hostname, port, pathname, search } = new URL(echoUrl);
  const socket = net.connect(Number(port), hostname);
  const started = Date.now();
  let received = '';
  let answeredAt = 0;
  socket.setEncoding('latin1').on('data', (c: string) => {
    received += c;
    if (!answeredAt && received.includes('\r\n\r\n')) answeredAt = Date.now();
  });
  const ended = new Promise<number>((resolve, reject) => {
    socket.once('end', () => resolve(Date.now()));
    socket.once('error', reject);
    setTimeout(() => reject(new Error(`no close within 5 s; received: ${JSON.stringify(received)}`)), 5000).unref();
  });
  socket.write(`POST ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${mb60}\r\n\r\n`);
  socket.write(Buffer.alloc(4096, 0x61));
  const endedAt = await ended;
  socket.destroy();
  expect(received).toMatch(/^HTTP\/1\.1 413 /);
  expect(received.toLowerCase()).toContain('connection: close');
  expect(answeredAt - started).toBeLessThan(2000);
  // Half-closed right after the response: the client sees the end of the stream at once.
  expect(endedAt - answeredAt).toBeLessThan(1000);
});

test('a client waiting for 100 Continue is refused before it sends, and continued when its body fits', async () => {
  const { hostname, port, pathname, search } = new URL(echoUrl);
  /** Sends the head with Expect: 100-continue, and the body only if the host says Continue. */
  const expectContinue = (length: number) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      let received = '';
      let sent = false;
      let done: NodeJS.Timeout | undefined;
      socket.setEncoding('latin1').on('data', (c: string) => {
        received += c;
        if (!sent && received.includes('100 Continue\r\n\r\n')) {
          sent = true;
          socket.write(Buffer.alloc(length, 0x62));
        }
        // A final (non-100) response head: give its body a moment, then hand over what came.
        if (!done && /HTTP\/1\.1 (?!100 )\d{3} [^\r]*\r\n[\s\S]*?\r\n\r\n/.test(received)) {
          done = setTimeout(() => {
            socket.destroy();
            resolve(received);
          }, 100);
        }
      });
      socket.once('error', reject);
      socket.write(`POST ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`);
    });
  const refused = await expectContinue(mb60);
  expect(refused).toMatch(/^HTTP\/1\.1 413 /);
  expect(refused).not.toContain('100 Continue');
  const continued = await expectContinue(1000);
  expect(continued).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
});

test('a chunked body is refused with 413 as soon as it passes the limit', async () => {
  // 16 KiB a millisecond: reading all 60 MB would take seconds, the limit is passed after 5 chunks.
  const r = await upload(echoUrl, { send: mb60, chunk: 16 * 1024, paceMs: 1, timeoutMs: 20_000 });
  expect(r.status).toBe(413);
  expect(r.connection).toBe('close');
  expect(r.written).toBeGreaterThan(limit);
  expect(r.written).toBeLessThan(limit + 512 * 1024);
}, 30_000);

test('a body of exactly the limit reaches the function, one byte more does not', async () => {
  for (const declared of [true, false]) {
    const ok = await upload(echoUrl, { send: limit, declare: declared ? limit : undefined });
    expect(ok.status).toBe(201);
    expect(Buffer.from((JSON.parse(ok.body) as { bodyBase64: string }).bodyBase64, 'base64').length).toBe(limit);
    const over = await upload(echoUrl, { send: limit + 1, declare: declared ? limit + 1 : undefined });
    expect(over.status).toBe(413);
  }
});

test('the Durable client API is not subject to the app setting', async () => {
  const input = JSON.stringify({ steps: 1, padding: 'x'.repeat(4 * limit) });
  // Through a function route the same body is refused...
  expect((await fetch(`${host.api}/orchestrators/sequence/big-fn`, { method: 'POST', body: input })).status).toBe(413);
  // ...through the extension's own channel it starts the orchestration.
  const res = await fetch(`${host.url}/durabletask/orchestrators/sequence/big-rpc`, { method: 'POST', body: input, headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(202);
});

test("four parallel 60 MB uploads, declared and chunked, leave the host's memory flat", async () => {
  const pid = host.proc.pid!;
  const baseline = rssKb(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 20);
  try {
    const results = await Promise.all([
      upload(echoUrl, { send: mb60, declare: mb60, chunk: 256 * 1024, timeoutMs: 30_000 }),
      upload(echoUrl, { send: mb60, declare: mb60, chunk: 256 * 1024, timeoutMs: 30_000 }),
      upload(echoUrl, { send: mb60, chunk: 256 * 1024, timeoutMs: 30_000 }),
      upload(echoUrl, { send: mb60, chunk: 256 * 1024, timeoutMs: 30_000 }),
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(results.map((r) => r.status)).toEqual([413, 413, 413, 413]);
  } finally {
    clearInterval(sampler);
  }
  expect((peak - baseline) / 1024).toBeLessThan(50);
}, 60_000);

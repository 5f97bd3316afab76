// HTTP streaming (app.setup({ enableHttpStream: true })): request and response bodies flow
// through the host as they are produced, never held whole; FUNCTIONS_REQUEST_BODY_SIZE_LIMIT still
// applies the host's way (Kestrel's MaxRequestBodySize). Without streaming the host reads the
// whole request body before invoking the function, as the RPC path must.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { HostProcess, startHost, waitFor } from '../../support/host';
import { patternChunk } from '../apps/http/shared/pattern';
import { apps, json, request, rss, sampleRss } from './support';

const MB = 1024 * 1024;
const size = 50 * MB;
/** A body limit above the 50 MB transfers, so that the limit tests need not send 100 MB. */
const limit = 60 * MB;

let streaming: HostProcess;
let buffered: HostProcess;
beforeAll(async () => {
  [streaming, buffered] = await Promise.all([
    startHost({ appRoot: apps.streaming, env: { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(limit) }, logLevel: 'warning' }),
    startHost({ appRoot: apps.buffered, logLevel: 'warning' }),
  ]);
});
afterAll(() => Promise.all([streaming.stop(), buffered.stop()]));

function sha256Of(total: number): string {
  const hash = createHash('sha256');
  for (let at = 0; at < total; at += 64 * 1024) hash.update(patternChunk(at, Math.min(64 * 1024, total - at)));
  return hash.digest('hex');
}

const progress = (h: HostProcess, id: string) => json<{ bytes?: number; done?: boolean; error?: string; started?: false }>(`${h.api}/progress/${id}`);

function drainedOrClosed(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.on('drain', done).on('close', done);
  });
}

interface Upload {
  req: http.ClientRequest;
  response: Promise<{ status: number; body: string }>;
  /** Writes `n` more bytes of the pattern, waiting for the socket to take them. */
  send(n: number): Promise<void>;
  end(): void;
}

/** A chunked upload (or one with `contentLength`) written piece by piece under the test's control. */
function upload(url: string, contentLength?: number): Upload {
  const req = http.request(url, { method: 'POST', agent: false, headers: contentLength === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(contentLength) } });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  response.catch(() => undefined);
  let sent = 0;
  return {
    req,
    response,
    async send(n) {
      const end = sent + n;
      while (sent < end && !req.destroyed) {
        const chunk = patternChunk(sent, Math.min(64 * 1024, end - sent));
        sent += chunk.length;
        // A destroyed request never drains.
        if (!req.write(chunk)) await drainedOrClosed(req);
      }
    },
    end: () => req.end(),
  };
}

test('a 50 MB request body reaches the function while it is still being sent, and whole', async () => {
  const up = upload(`${streaming.api}/upload/stream-up`);
  await up.send(2 * MB);
  // The function is already reading: the rest of the body has not been sent.
  const seen = await waitFor(async () => ((await progress(streaming, 'stream-up')).bytes ?? 0) >= MB ? (await progress(streaming, 'stream-up')).bytes : undefined, 'the function to read the first megabyte', 10_000);
  expect(seen).toBeLessThanOrEqual(2 * MB);
  await up.send(size - 2 * MB);
  up.end();
  const r = await up.response;
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toEqual({ bytes: size, sha256: sha256Of(size) });
}, 60_000);

test('a 50 MB response body reaches the caller while the function is still producing it, and whole', async () => {
  // The function produces one 64 KiB chunk, then waits for release/dl-1 before the rest.
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${streaming.api}/download?size=${size}&hold=dl-1`, { agent: false }, resolve).on('error', reject));
  expect(res.statusCode).toBe(200);
  const hash = createHash('sha256');
  let received = 0;
  let released = false;
  await new Promise<void>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      hash.update(c);
      received += c.length;
      if (!released) {
        // The first bytes are here while the function is still holding the rest back.
        released = true;
        expect(received).toBeLessThanOrEqual(64 * 1024);
        void request(`${streaming.api}/release/dl-1`, { method: 'POST' });
      }
    });
    res.on('end', resolve);
    res.on('error', reject);
  });
  expect(received).toBe(size);
  expect(hash.digest('hex')).toBe(sha256Of(size));
}, 60_000);

/** Sends `bytes` up and fetches `bytes` down at once; resolves when both are done. */
async function bothWays(h: HostProcess, id: string, bytes: number): Promise<void> {
  const up = upload(`${h.api}/upload/${id}`, bytes);
  const sending = (async () => {
    await up.send(bytes);
    up.end();
  })();
  // Paced: the library writes a streamed response without waiting for the socket, so an unpaced
  // body would pile up in the library's own response object (the worker's memory on Azure, this
  // process here) whatever the host does.
  const downloaded = new Promise<number>((resolve, reject) =>
    http.get(`${h.api}/download?size=${bytes}&paced`, { agent: false }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length)).on('end', () => resolve(n)).on('error', reject);
    }),
  );
  await sending;
  const [r, down] = await Promise.all([up.response, downloaded]);
  expect(JSON.parse(r.body)).toMatchObject({ bytes });
  expect(down).toBe(bytes);
}

test('50 MB each way at once leaves the host\'s memory well below the bodies\' size', async () => {
  const pid = streaming.proc.pid!;
  // Once first, so that the heap's own growth to its working size is not counted.
  await bothWays(streaming, 'rss-warm', 10 * MB);
  const before = rss(pid);
  const sampler = sampleRss(pid);
  await bothWays(streaming, 'rss', size);
  const peak = sampler.stop();
  // Held whole, 100 MB would pass through the host (more, with the library's copies).
  expect(peak - before).toBeLessThan(size / 4);
}, 60_000);

test('a declared Content-Length over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is refused with 413 before the function runs', async () => {
  const up = upload(`${streaming.api}/upload/too-long`, limit + 1);
  await up.send(64 * 1024);
  const r = await up.response;
  up.req.destroy();
  expect(r.status).toBe(413);
  expect(await progress(streaming, 'too-long')).toEqual({ started: false });
});

test('a chunked body that passes the limit is cut off: 413 to the caller, a failed read in the function', async () => {
  const up = upload(`${streaming.api}/upload/too-much`);
  const sending = up.send(limit + 4 * MB).catch(() => undefined);
  const r = await up.response;
  up.req.destroy();
  await sending;
  expect(r.status).toBe(413);
  // The function had the body up to the limit, then its read failed.
  const p = await waitFor(async () => {
    const s = await progress(streaming, 'too-much');
    return s.error ? s : undefined;
  }, 'the function\'s read to fail', 10_000);
  expect(p.bytes).toBeLessThanOrEqual(limit);
  expect(p.done).toBeUndefined();
}, 60_000);

test('without streaming, the function runs only once the whole request body has arrived', async () => {
  const up = upload(`${buffered.api}/upload/buffered-up`);
  await up.send(2 * MB);
  await new Promise((r) => setTimeout(r, 500));
  // The host is still reading the body: the function has not started.
  expect(await progress(buffered, 'buffered-up')).toEqual({ started: false });
  await up.send(2 * MB);
  up.end();
  const r = await up.response;
  expect(JSON.parse(r.body)).toEqual({ bytes: 4 * MB, sha256: sha256Of(4 * MB) });
});

// Shared by the HTTP conformance tests: where the two apps are, and a plain HTTP client that sends
// exactly the headers it is given (fetch adds its own).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HostProcess, waitFor } from '../../support/host';

const appsDir = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'conformance', 'apps', 'http');

/** The app on the host's RPC path (no HTTP streaming) and the one with app.setup({ enableHttpStream: true }). */
export const apps = {
  buffered: path.join(appsDir, 'buffered'),
  streaming: path.join(appsDir, 'streaming'),
} as const;
export type AppName = keyof typeof apps;

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request on its own connection; headers go out as given (plus Host and Connection: close). */
export function request(url: string, o: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string; timeoutMs?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(o.timeoutMs ?? 20_000, () => req.destroy(new Error(`no answer from ${url} within ${o.timeoutMs ?? 20_000} ms`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

export async function json<T = Record<string, unknown>>(url: string, o: Parameters<typeof request>[1] = {}): Promise<T> {
  const r = await request(url, o);
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as T;
}

/** Resolves with the status if an answer arrives within `ms`, else 'no answer' (and drops the request). */
export function answerWithin(url: string, ms: number): Promise<number | 'no answer'> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve('no answer');
    }, ms);
    req.on('error', () => undefined);
  });
}

/** A process's resident set size in bytes (Linux). */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's RSS every 20 ms until stopped; returns the highest seen. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rss(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rss(pid));
    },
  };
}

/** Waits (up to 5 s) for the host's output to match: its log lines arrive a little after its answers. */
export function logged(host: HostProcess, re: RegExp): Promise<true> {
  return waitFor(async () => (re.test(host.output()) ? true : undefined), `a log line matching ${re}`, 5000);
}

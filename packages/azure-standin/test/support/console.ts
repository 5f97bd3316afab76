// The console tests' fixture app (test/fixtures/console-app: the runtime fixture's functions plus
// a stand-in config with a console link and a queue no function reads) and form posts as a browser
// on the same origin sends them.
import path from 'node:path';
import { startHost as start } from '../../src/testing';
import type { HostProcess, StartHostOptions } from '../../src/testing';
export { browserSuite } from '../../src/testing/browser';

export const consoleAppRoot = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'console-app');
export const startConsoleHost = (opts: StartHostOptions = {}): Promise<HostProcess> => start({ ...opts, appRoot: consoleAppRoot });

export async function page(h: HostProcess, p: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${h.url}${p}`, { redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** A form post from a console page: same origin; answers 303 with the page to show next. */
export async function post(h: HostProcess, p: string, form: Record<string, string>, origin = h.url): Promise<{ status: number; location: string | null; text: string }> {
  const res = await fetch(`${h.url}${p}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: new URLSearchParams(form).toString() });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

// The ACS Email simulator driven through the production adapter and the real
// @azure/communication-email SDK over HTTP: what the backend relies on (one email per operation
// id, final verdicts, retryable vs. final failures) and what the simulator must enforce
// (HMAC signatures, sender domains, durable storage).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Database } from 'azure-standin/sqlite';
import { AcsEmailSender, acsOperationId } from '../../adapters/email/acs-email-sender';
import type { AcsEmailSenderConfig } from '../../adapters/email/acs-email-sender';
import type { EmailMessage } from '../../application/ports';
import { AcsEmailSimulator } from 'azure-standin';
import type { EmailItem } from 'azure-standin';

interface Running {
  baseUrl: string;
  stop(): Promise<void>;
}

const accessKey = randomBytes(32).toString('base64');
const sender = 'DoNotReply@orders.example.com';
let dir: string;
let dbFile: string;
let db: Database;
let running: Running;
let counter = 0;

async function startSimulator(): Promise<Running> {
  db = new Database(dbFile);
  const sim = new AcsEmailSimulator({ db, accessKey, senderDomains: ['orders.example.com'], runningForMs: 50 });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    sim.handle(req, res, url).then(
      (handled) => {
        if (!handled) res.writeHead(404).end();
      },
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}

function senderFor(overrides: Partial<AcsEmailSenderConfig> & { key?: string } = {}): AcsEmailSender {
  const { key = accessKey, ...rest } = overrides;
  return new AcsEmailSender({ connectionString: `endpoint=${running.baseUrl}/;accesskey=${key}`, senderAddress: sender, pollIntervalMs: 20, ...rest });
}

/** A fresh recipient and operation per test: the store is shared and durable. */
function message(localPart = 'customer'): EmailMessage {
  counter += 1;
  return {
    operationId: `order-${counter}-${Date.now()}:received`,
    to: { address: `${localPart}+${counter}@example.org`, displayName: 'Ada Lovelace' },
    subject: `Order ${counter} received`,
    html: `<p>Thanks for order ${counter}</p>`,
    text: `Thanks for order ${counter}`,
  };
}

async function inbox(address: string): Promise<EmailItem[]> {
  const res = await fetch(`${running.baseUrl}/dev/emails?to=${encodeURIComponent(address)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: EmailItem[] }).items;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'email-sim-'));
  dbFile = path.join(dir, 'email.db');
  running = await startSimulator();
});

afterAll(async () => {
  await running.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a send succeeds and the message is listed under /dev/emails with its content', async () => {
  const m = message();
  const result = await senderFor().send(m);
  expect(result).toEqual({ ok: true, messageId: acsOperationId(m.operationId) });

  const items = await inbox(m.to.address);
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({
    operationId: acsOperationId(m.operationId),
    to: [m.to.address],
    from: sender,
    subject: m.subject,
    html: m.html,
    text: m.text,
    status: 'Succeeded',
  });

  const single = await fetch(`${running.baseUrl}/dev/emails/${acsOperationId(m.operationId)}`);
  expect(((await single.json()) as EmailItem).subject).toBe(m.subject);
  const page = await (await fetch(`${running.baseUrl}/dev/emails.html?to=${encodeURIComponent(m.to.address)}`)).text();
  expect(page).toContain('<iframe sandbox=""');
  expect(page).toContain('&lt;p&gt;Thanks for order'); // the body is escaped into srcdoc
});

test('the same operation id twice sends one email; another id sends another', async () => {
  const m = message();
  const s = senderFor();
  const first = await s.send(m);
  const again = await s.send({ ...m, subject: 'changed on retry' });
  expect(first.ok && again.ok).toBe(true);
  expect(again).toEqual(first);
  expect((await inbox(m.to.address)).map((i) => i.subject)).toEqual([m.subject]);

  await s.send({ ...m, operationId: `${m.operationId}-other` });
  expect(await inbox(m.to.address)).toHaveLength(2);
});

test('a wrong access key is refused with 401, not retried as transient, and nothing is sent', async () => {
  const m = message();
  const result = await senderFor({ key: randomBytes(32).toString('base64') }).send(m);
  expect(result).toMatchObject({ ok: false, retryable: false });
  expect(!result.ok && result.reason).toMatch(/^HTTP 401: .*signature is invalid/);
  expect(await inbox(m.to.address)).toEqual([]);
});

/** A hand-made request signed like @azure/communication-common does, sending `sentBody` (default: the signed one). */
async function signedPost(pathAndQuery: string, signedBody: string, sentBody = signedBody): Promise<Response> {
  const url = new URL(pathAndQuery, running.baseUrl);
  const date = new Date().toUTCString();
  const hash = createHash('sha256').update(signedBody).digest('base64');
  const query = url.searchParams.toString();
  const toSign = `POST\n${url.pathname}${query ? `?${query}` : ''}\n${date};${url.host};${hash}`;
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(toSign).digest('base64');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-ms-date': date,
      'x-ms-content-sha256': hash,
      authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
    },
    body: sentBody,
  });
}

test('hand-signed requests work under /sim/acs, but not with a body changed after signing', async () => {
  const m = message();
  const body = (subject: string) => JSON.stringify({ senderAddress: sender, content: { subject, plainText: 't' }, recipients: { to: [{ address: m.to.address }] } });

  const tampered = await signedPost('/sim/acs/emails:send?api-version=2025-09-01', body('signed'), body('swapped'));
  expect(tampered.status).toBe(401);
  expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('Denied');
  expect(await inbox(m.to.address)).toEqual([]);

  const genuine = await signedPost('/sim/acs/emails:send?api-version=2025-09-01', body('signed'));
  expect(genuine.status).toBe(202);
  expect(genuine.headers.get('operation-location')).toMatch(new RegExp(`^${running.baseUrl}/sim/acs/emails/operations/[0-9a-f-]{36}\\?api-version=2025-09-01$`));
  expect((await inbox(m.to.address)).map((i) => i.subject)).toEqual(['signed']);
});

test('a sender on an unverified domain is a 400 and not retryable', async () => {
  const m = message();
  const result = await senderFor({ senderAddress: 'DoNotReply@elsewhere.example' }).send(m);
  expect(result).toMatchObject({ ok: false, retryable: false });
  expect(!result.ok && result.reason).toMatch(/HTTP 400.*not been linked/);
  expect(await inbox(m.to.address)).toEqual([]);
});

test('a bounce address ends the operation Failed, which is final', async () => {
  const m = message('bounce');
  const result = await senderFor().send(m);
  expect(result).toMatchObject({ ok: false, retryable: false });
  expect(!result.ok && result.reason).toContain('EmailDroppedAllRecipientsSuppressed');
  const items = await inbox(m.to.address);
  expect(items.map((i) => [i.status, i.error?.code])).toEqual([['Failed', 'EmailDroppedAllRecipientsSuppressed']]);
});

test('throttling is retryable; the retry with the same operation id sends exactly once', async () => {
  const m = message('throttle');
  const s = senderFor({ maxRetries: 0 }); // surface the 429 instead of letting the SDK wait it out
  const first = await s.send(m);
  expect(first).toMatchObject({ ok: false, retryable: true });
  expect(!first.ok && first.reason).toContain('HTTP 429');
  expect(await inbox(m.to.address)).toEqual([]);

  expect(await s.send(m)).toEqual({ ok: true, messageId: acsOperationId(m.operationId) });
  expect(await inbox(m.to.address)).toHaveLength(1);
});

test('with its default retries the SDK waits out the 429 (retry-after: 1) within one send', async () => {
  const m = message('throttle');
  const started = Date.now();
  expect(await senderFor().send(m)).toMatchObject({ ok: true });
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(await inbox(m.to.address)).toHaveLength(1);
});

test('an unreachable endpoint is retryable', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const s = new AcsEmailSender({ connectionString: `endpoint=http://127.0.0.1:${port}/;accesskey=${accessKey}`, senderAddress: sender, maxRetries: 0 });
  expect(await s.send(message())).toMatchObject({ ok: false, retryable: true });
});

test('operation ids are deterministic RFC 4122 version-5 GUIDs', () => {
  // Reference vector: uuidv5("www.example.com", DNS namespace).
  expect(acsOperationId('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  expect(acsOperationId('o-1:paid')).toBe(acsOperationId('o-1:paid'));
  expect(acsOperationId('o-1:paid')).not.toBe(acsOperationId('o-1:shipped'));
});

test('stored emails and operation ids survive a restart', async () => {
  const m = message();
  expect(await senderFor().send(m)).toMatchObject({ ok: true });
  await running.stop();
  running = await startSimulator(); // same database file, new server and port

  expect((await inbox(m.to.address)).map((i) => i.subject)).toEqual([m.subject]);
  expect(await senderFor().send(m)).toEqual({ ok: true, messageId: acsOperationId(m.operationId) });
  expect(await inbox(m.to.address)).toHaveLength(1);
});

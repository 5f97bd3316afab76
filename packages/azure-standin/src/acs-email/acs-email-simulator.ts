// A local Azure Communication Services Email endpoint for the real @azure/communication-email
// SDK: HMAC-authenticated `POST /emails:send` (202 + Operation-Location, idempotent on the
// Operation-Id header) and `GET /emails/operations/{id}`, with the service's validation and error
// shapes, plus /dev/emails to inspect what was "sent". Nothing leaves the machine.
//
// The SDK refuses an endpoint with a path ("Invalid endpoint url"), so the API is answered at the
// root paths, exactly as ACS serves it (connection string `endpoint=http://<host>:<port>/;…`).
// The same API is also answered under /sim/acs/ for hand-made requests; there the prefix is part
// of the signed path.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Database } from '../core/sqlite';
import { EmailStore, statusAt } from './email-store';
import type { NewOperation, StoredOperation } from './email-store';
import { hmacAuthFailure } from './hmac-auth';
import { isValidationError, parseSendRequest } from './send-request';
import type { SendRequest } from './send-request';
import { mailboxListingProblem, mailboxPage, toItem } from './dev-views';

export interface AcsEmailSimulatorOptions {
  /** Own tables, prefixed em_; the caller owns (and closes) the database. */
  db: Database;
  /** The resource's access key (base64), as in the connection string. */
  accessKey: string;
  /** Verified sender domains: any user at one of them may send. */
  senderDomains: string[];
  /** Clock for operation ages and timestamps; it also judges the x-ms-date skew of requests. */
  now?: () => number;
  /** How long an accepted operation reports Running before its outcome; default 200 ms. */
  runningForMs?: number;
}

export const supportedApiVersions = ['2023-03-31', '2024-07-01-preview', '2025-09-01'] as const;

/** Recipient local parts with scripted behaviour (`bounce` or `bounce+anything`). */
export const magicRecipients = { bounce: 'bounce', throttle: 'throttle' } as const;

export const bounceError = {
  code: 'EmailDroppedAllRecipientsSuppressed',
  message: 'Message dropped because all recipients were suppressed.',
} as const;

const apiPrefixes = ['', '/sim/acs'];
const maxBodyBytes = 10 * 1024 * 1024;

export class AcsEmailSimulator {
  readonly name = 'Azure Communication Services Email';
  private readonly store: EmailStore;
  private readonly now: () => number;
  private readonly runningForMs: number;
  private closed = false;

  constructor(private readonly o: AcsEmailSimulatorOptions) {
    this.store = new EmailStore(o.db);
    this.now = o.now ?? Date.now;
    this.runningForMs = o.runningForMs ?? 200;
  }

  /** Answers the ACS API and /dev/emails; false for any other path (or after close). */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (this.closed) return false;
    const p = url.pathname;
    for (const prefix of apiPrefixes) {
      if (p === `${prefix}/emails:send`) return this.api(req, res, url, 'POST', (body) => this.send(req, res, url, prefix, body));
      const op = p.startsWith(`${prefix}/emails/operations/`) ? p.slice(`${prefix}/emails/operations/`.length) : undefined;
      if (op !== undefined && op !== '' && !op.includes('/')) return this.api(req, res, url, 'GET', () => this.status(res, decodeURIComponent(op)));
    }
    if (p === '/dev/emails' || p === '/dev/emails.html' || p.startsWith('/dev/emails/')) {
      if (req.method !== 'GET') fail(res, 405, 'MethodNotAllowed', 'Use GET.');
      else {
        // The mailbox holds everyone's mail: a listing names its recipient unless asked for all.
        const listing = mailboxListingProblem(url);
        if (listing) res.writeHead(listing.status, { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ type: 'about:blank', ...listing }));
        else this.inspect(res, url);
      }
      return true;
    }
    return false;
  }

  /** Stops answering; the database stays open (it belongs to the caller). */
  close(): void {
    this.closed = true;
  }

  /** The checks every API call passes before its handler: method, api-version, body, signature. */
  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL, method: string, handler: (body: Buffer) => void): Promise<true> {
    const body = await readBody(req);
    if (req.method !== method) return fail(res, 405, 'MethodNotAllowed', `Use ${method}.`);
    const version = url.searchParams.get('api-version');
    if (!version) return fail(res, 400, 'MissingApiVersionParameter', 'The api-version query parameter is required.');
    if (!(supportedApiVersions as readonly string[]).includes(version)) {
      return fail(res, 400, 'UnsupportedApiVersion', `The api-version "${version}" is not supported; use one of ${supportedApiVersions.join(', ')}.`);
    }
    if (body === 'too-large') return fail(res, 413, 'RequestEntityTooLarge', `The request exceeds ${maxBodyBytes} bytes.`);
    const authFailure = hmacAuthFailure({ method: req.method ?? '', url, headers: req.headers, body }, this.o.accessKey, this.now());
    if (authFailure) return fail(res, 401, 'Denied', `Denied by the resource provider: ${authFailure}.`);
    handler(body);
    return true;
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, url: URL, prefix: string, body: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      fail(res, 400, 'InvalidRequest', 'The request body is not valid JSON.');
      return;
    }
    const parsed = parseSendRequest(json, this.o.senderDomains);
    if (isValidationError(parsed)) {
      fail(res, 400, parsed.code, parsed.message);
      return;
    }
    const given = header(req, 'operation-id');
    if (given !== undefined && !isGuid(given)) {
      fail(res, 400, 'InvalidOperationId', `Operation-Id "${given}" is not a GUID.`);
      return;
    }
    const operationId = given?.toLowerCase() ?? randomUUID();
    // A known operation id is a retry: answer with the existing operation, send nothing new.
    const existing = this.store.get(operationId);
    if (existing) return this.accepted(req, res, url, prefix, existing);
    if (hasMagic(parsed, 'throttle') && this.store.throttleOnce(operationId, this.now())) {
      res.setHeader('retry-after', '1');
      fail(res, 429, 'TooManyRequests', 'The request was throttled; retry after 1 second.');
      return;
    }
    const { operation } = this.store.insertOnce(this.newOperation(operationId, parsed));
    this.accepted(req, res, url, prefix, operation);
  }

  private newOperation(operationId: string, m: SendRequest): NewOperation {
    const everyone = [...m.to, ...m.cc, ...m.bcc];
    const allBounce = everyone.every((r) => isMagic(r.address, 'bounce'));
    return {
      operationId,
      messageId: `<${randomUUID()}@${m.senderAddress.slice(m.senderAddress.lastIndexOf('@') + 1)}>`,
      from: m.senderAddress,
      to: m.to,
      cc: m.cc,
      bcc: m.bcc,
      subject: m.subject,
      text: m.text,
      html: m.html,
      createdAt: this.now(),
      outcome: allBounce ? { status: 'Failed', ...bounceError } : { status: 'Succeeded' },
    };
  }

  private accepted(req: http.IncomingMessage, res: http.ServerResponse, url: URL, prefix: string, op: StoredOperation): void {
    const version = url.searchParams.get('api-version') as string;
    // The Host the client used (and signed), so polling reaches this server whatever its bind address.
    res.setHeader('operation-location', `${url.protocol}//${header(req, 'host') ?? url.host}${prefix}/emails/operations/${op.operationId}?api-version=${version}`);
    res.setHeader('operation-id', op.operationId);
    res.setHeader('retry-after', '1');
    reply(res, 202, { id: op.operationId, status: statusAt(op, this.now(), this.runningForMs) });
  }

  private status(res: http.ServerResponse, operationId: string): void {
    const op = this.store.get(operationId.toLowerCase());
    if (!op) {
      fail(res, 404, 'NotFound', `Operation "${operationId}" was not found.`);
      return;
    }
    const status = statusAt(op, this.now(), this.runningForMs);
    const error = status === 'Failed' && op.outcome.status === 'Failed' ? { code: op.outcome.code, message: op.outcome.message } : undefined;
    reply(res, 200, { id: op.operationId, status, ...(error ? { error } : {}) });
  }

  private inspect(res: http.ServerResponse, url: URL): void {
    const item = (op: StoredOperation) => toItem(op, statusAt(op, this.now(), this.runningForMs));
    if (url.pathname.startsWith('/dev/emails/')) {
      const op = this.store.get(decodeURIComponent(url.pathname.slice('/dev/emails/'.length)).toLowerCase());
      if (op) reply(res, 200, item(op));
      else fail(res, 404, 'NotFound', 'No email with this operation id.');
      return;
    }
    const to = url.searchParams.get('to') ?? undefined;
    const items = this.store.list(to).map(item);
    if (url.pathname === '/dev/emails.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(mailboxPage(items, to));
    } else {
      reply(res, 200, { items });
    }
  }
}

/** `bounce@x`, `Bounce+42@x`: the local part before any +tag names the behaviour. */
function isMagic(address: string, kind: keyof typeof magicRecipients): boolean {
  const local = address.slice(0, address.lastIndexOf('@')).toLowerCase();
  return local === magicRecipients[kind] || local.startsWith(`${magicRecipients[kind]}+`);
}

function hasMagic(m: SendRequest, kind: keyof typeof magicRecipients): boolean {
  return [...m.to, ...m.cc, ...m.bcc].some((r) => isMagic(r.address, kind));
}

function isGuid(v: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Keep draining so the client gets the 413 instead of a reset connection.
    if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBodyBytes ? 'too-large' : Buffer.concat(chunks);
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function fail(res: http.ServerResponse, status: number, code: string, message: string): true {
  reply(res, status, { error: { code, message } });
  return true;
}

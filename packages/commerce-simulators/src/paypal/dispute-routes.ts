// HTTP front of the disputes: PayPal's Disputes API v1 under /v1/customer/disputes (bearer token,
// JSON or multipart bodies) and the simulator's trigger control plane under /disputes (no auth,
// no PayPal counterpart, like `stripe trigger`). Business rules live in DisputeOperations.
import type http from 'node:http';
import { ACTION_PATHS } from './dispute-machine';
import type { DisputeAction } from './dispute-machine';
import type { Delivery, DisputeOperations, DisputeResult } from './dispute-operations';
import { MAX_JSON_BODY_BYTES, sendError, sendJson } from './http-io';
import { checkEvidenceFiles, isMultipart, MAX_MULTIPART_BODY_BYTES, parseMultipart, totalTooLarge } from './multipart';
import type { FormFile } from './multipart';
import { invalidRequest, PayPalApiError } from './paypal-errors';

export interface DisputeRoutesOptions {
  operations: DisputeOperations;
  /** Sends PayPal's 401 itself and answers false when the bearer token is missing or unknown. */
  authenticate: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  /** Runs work atomically (SQLite transaction). */
  transaction: <T>(work: () => T) => T;
  /** Settles what the business clock made due (expired seller deadlines among them). */
  settleDue: () => void;
  deliver: (deliveries: readonly Delivery[]) => void;
  /** `${publicBaseUrl}/sim/paypal`, for list links. */
  apiBase: string;
}

const API = '/v1/customer/disputes';
const ACTIONS = new Map<string, DisputeAction>(Object.entries(ACTION_PATHS).map(([action, path]) => [path, action as DisputeAction]));

interface Body {
  json: unknown;
  files: FormFile[];
}

export class DisputeRoutes {
  constructor(private readonly o: DisputeRoutesOptions) {}

  static isApiPath(sub: string): boolean {
    return sub === API || sub.startsWith(`${API}/`);
  }

  static isControlPath(sub: string): boolean {
    return sub === '/disputes' || sub.startsWith('/disputes/');
  }

  /** The Disputes API v1 (`sub` is the path below /sim/paypal). */
  async api(req: http.IncomingMessage, res: http.ServerResponse, sub: string, url: URL): Promise<void> {
    const parts = sub.slice(API.length).split('/').filter(Boolean).map(decodeURIComponent);
    const route = parts.length === 0 ? 'list' : parts.length === 1 ? 'get' : parts.length === 2 && ACTIONS.has(parts[1]) ? 'action' : undefined;
    if (!route) return sendError(res, new PayPalApiError(404, 'RESOURCE_NOT_FOUND', 'The specified resource does not exist.', [{ issue: 'INVALID_RESOURCE_ID', description: 'Specified resource ID does not exist. Please check the resource ID and try again.' }], 'disputes'));
    if (req.method !== (route === 'action' ? 'POST' : 'GET')) return sendError(res, new PayPalApiError(405, 'METHOD_NOT_SUPPORTED', 'The server does not implement the requested HTTP method.'));
    if (!this.o.authenticate(req, res)) return;
    if (route === 'list') return this.read(res, () => this.o.operations.list(url.searchParams, `${this.o.apiBase}${sub}${url.search}`));
    if (route === 'get') return this.read(res, () => this.o.operations.get(parts[0]));
    const action = ACTIONS.get(parts[1])!;
    const body = await this.body(req, action === 'provide_evidence');
    const ops = this.o.operations;
    const id = parts[0];
    if (action !== 'provide_evidence' && body.files.length) checkEvidenceFiles(body.files);
    this.mutate(res, () => {
      switch (action) {
        case 'provide_evidence':
          return ops.provideEvidence(id, body.json, body.files);
        case 'accept_claim':
          return ops.acceptClaim(id, body.json);
        case 'send_message':
          return ops.sendMessage(id, body.json);
        case 'make_offer':
          return ops.makeOffer(id, body.json);
        case 'escalate':
          return ops.escalate(id, body.json);
        case 'acknowledge_return_item':
          return ops.acknowledgeReturnItem(id, body.json);
        case 'require_evidence':
          return ops.requireEvidence(id, body.json);
        case 'adjudicate':
          return ops.adjudicate(id, body.json);
      }
    });
  }

  /** POST /sim/paypal/disputes[/{id}/adjudicate|escalate|return-item]: the buyer's and PayPal's moves. */
  async control(req: http.IncomingMessage, res: http.ServerResponse, sub: string): Promise<void> {
    const parts = sub.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method !== 'POST') return sendError(res, new PayPalApiError(405, 'METHOD_NOT_SUPPORTED', 'The server does not implement the requested HTTP method.'));
    const body = (await this.body(req, false)).json;
    const ops = this.o.operations;
    // The control plane answers with the whole dispute, so a script sees the state it produced.
    const full = (r: DisputeResult, id: string): DisputeResult => ({ ...r, body: ops.get(id).body });
    if (parts.length === 1) return this.mutate(res, () => ops.trigger(body));
    const id = parts[1];
    if (parts.length === 3 && parts[2] === 'adjudicate') return this.mutate(res, () => full(ops.settle(id, body), id));
    if (parts.length === 3 && parts[2] === 'escalate') return this.mutate(res, () => full(ops.escalateByBuyer(id), id));
    if (parts.length === 3 && parts[2] === 'return-item') return this.mutate(res, () => full(ops.returnItem(id), id));
    sendError(res, new PayPalApiError(404, 'NOT_FOUND', 'The specified resource does not exist.'));
  }

  private read(res: http.ServerResponse, run: () => DisputeResult): void {
    this.o.settleDue();
    try {
      const r = run();
      sendJson(res, r.status, r.body);
    } catch (err) {
      if (!(err instanceof PayPalApiError)) throw err;
      sendError(res, err);
    }
  }

  private mutate(res: http.ServerResponse, run: () => DisputeResult): void {
    this.o.settleDue();
    let result: DisputeResult;
    try {
      result = this.o.transaction(run);
    } catch (err) {
      if (!(err instanceof PayPalApiError)) throw err;
      return sendError(res, err);
    }
    this.o.deliver(result.deliveries);
    sendJson(res, result.status, result.body);
  }

  /**
   * JSON, or multipart/form-data whose JSON is the part `input` (or, for the simpler calls,
   * the form's plain fields). Evidence uploads may be up to 60 MB; everything else 1 MB.
   */
  private async body(req: http.IncomingMessage, evidence: boolean): Promise<Body> {
    const type = req.headers['content-type'];
    const multipart = isMultipart(type);
    const max = multipart ? MAX_MULTIPART_BODY_BYTES : MAX_JSON_BODY_BYTES;
    const raw = await readDraining(req, max);
    if (raw === undefined) throw evidence ? totalTooLarge() : new PayPalApiError(413, 'PAYLOAD_TOO_LARGE', 'The request payload is too large.');
    if (multipart) {
      const form = await parseMultipart(type!, raw);
      const input = form.fields.get('input');
      if (input !== undefined) return { json: parseJson(input, 'input'), files: form.files };
      if (evidence) return { json: undefined, files: form.files };
      return { json: Object.fromEntries(form.fields), files: form.files };
    }
    const text = raw.toString('utf8');
    return { json: text.trim() === '' ? undefined : parseJson(text, undefined), files: [] };
  }
}

function parseJson(text: string, field: string | undefined): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest({ ...(field ? { field } : {}), issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, 'disputes');
  }
}

/**
 * Reads the body, or undefined once it passes `max`: the rest is still read and dropped, so the
 * client gets the 413 instead of a reset connection mid-upload.
 */
async function readDraining(req: http.IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= max) chunks.push(chunk as Buffer);
  }
  return size > max ? undefined : Buffer.concat(chunks);
}

// A PayPal simulator on a real HTTP port with its own SQLite file, a webhook receiver that records
// what arrives, and small clients: plain fetch for the REST calls and the real
// @paypal/paypal-server-sdk (pointed at the simulator through an axios adapter) as apps use it.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Client, Environment, OrdersController, PaymentsController } from '@paypal/paypal-server-sdk';
import { Database } from 'azure-standin/sqlite';
import { PayPalSimulator } from '../../src/paypal/paypal-simulator';

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-secret';
const SDK_ORIGIN = 'https://api-m.sandbox.paypal.com';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: { id: string; event_type: string; resource_type: string; resource: Record<string, unknown>; [key: string]: unknown };
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export class PayPalHarness {
  readonly webhooks: ReceivedWebhook[] = [];
  private sim!: PayPalSimulator;
  private server!: http.Server;
  private receiver!: http.Server;
  private db!: Database;
  private dir!: string;
  private token?: string;
  base = '';
  private webhookUrl = '';

  async start(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-sim-'));
    this.receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.webhooks.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedWebhook['body'] });
        res.writeHead(200).end();
      });
    });
    await listen(this.receiver);
    this.webhookUrl = `http://127.0.0.1:${(this.receiver.address() as AddressInfo).port}/hooks`;
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', this.base);
      void this.sim.handle(req, res, url).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await listen(this.server);
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.open();
  }

  /** Stops the simulator and starts a new one on the same database: what a process restart does. */
  restart(): void {
    this.sim.close();
    this.db.close();
    this.open();
  }

  async stop(): Promise<void> {
    this.sim.close();
    this.db.close();
    await new Promise<void>((r) => this.server.close(() => r()));
    await new Promise<void>((r) => this.receiver.close(() => r()));
    this.server.closeAllConnections();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  get apiBase(): string {
    return `${this.base}/sim/paypal`;
  }

  /** The real SDK, its requests redirected from PayPal's sandbox host to the simulator. */
  sdk(): { orders: OrdersController; payments: PaymentsController } {
    // The SDK's own axios (through its HTTP adapter package), wherever npm placed it.
    const sdkRequire = createRequire(createRequire(require.resolve('@paypal/paypal-server-sdk')).resolve('@apimatic/axios-client-adapter'));
    const axios = sdkRequire('axios') as { getAdapter(name: string): (config: Record<string, unknown>) => Promise<unknown> };
    const httpAdapter = axios.getAdapter('http');
    const adapter = (config: Record<string, unknown>): Promise<unknown> => {
      const url = String(config.url ?? '');
      if (!url.startsWith(SDK_ORIGIN)) throw new Error(`unexpected SDK URL ${url}`);
      return httpAdapter({ ...config, url: this.apiBase + url.slice(SDK_ORIGIN.length) });
    };
    const client = new Client({
      clientCredentialsAuthCredentials: { oAuthClientId: CLIENT_ID, oAuthClientSecret: CLIENT_SECRET },
      environment: Environment.Sandbox,
      timeout: 10_000,
      httpClientOptions: { timeout: 10_000, retryConfig: { maxNumberOfRetries: 0 } },
      unstable_httpClientOptions: { adapter },
    });
    return { orders: new OrdersController(client), payments: new PaymentsController(client) };
  }

  async bearer(): Promise<string> {
    if (this.token) return this.token;
    const res = await fetch(`${this.apiBase}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    this.token = ((await res.json()) as { access_token: string }).access_token;
    return this.token;
  }

  /** A bearer-authenticated call below /sim/paypal; a FormData body is sent as multipart. */
  async api<T = Record<string, unknown>>(method: string, sub: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const auth = { authorization: `Bearer ${await this.bearer()}` };
    return this.call<T>(method, sub, body, { ...auth, ...headers });
  }

  /** An unauthenticated call below /sim/paypal (the clock, the dispute trigger). */
  async call<T = Record<string, unknown>>(method: string, sub: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.apiBase}${sub}`, init);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async dev<T = Record<string, unknown>>(sub: string): Promise<T> {
    return (await (await fetch(`${this.base}/dev/paypal${sub}`)).json()) as T;
  }

  async advanceClock(seconds: number): Promise<void> {
    const r = await this.call('POST', '/clock', { advanceSeconds: seconds });
    if (r.status !== 200) throw new Error(`clock: ${r.status}`);
  }

  /** A vaulted AUTHORIZE order, authorized and captured through Payments v2 (as the app does). */
  async capturedOrder(value = '100.00', vault = 'vault-ok', unit: Record<string, unknown> = {}): Promise<{ orderId: string; authorizationId: string; captureId: string }> {
    const order = await this.api('POST', '/v2/checkout/orders', {
      intent: 'AUTHORIZE',
      purchase_units: [{ reference_id: 'ref-1', custom_id: 'our-order-1', amount: { currency_code: 'EUR', value }, ...unit }],
      payment_source: { paypal: { vault_id: vault } },
    });
    const orderId = order.body.id as string;
    const authorized = await this.api<{ purchase_units: { payments: { authorizations: { id: string }[] } }[] }>('POST', `/v2/checkout/orders/${orderId}/authorize`);
    const authorizationId = authorized.body.purchase_units[0].payments.authorizations[0].id;
    const capture = await this.api('POST', `/v2/payments/authorizations/${authorizationId}/capture`, { final_capture: true }, { prefer: 'return=representation' });
    return { orderId, authorizationId, captureId: capture.body.id as string };
  }

  /** Waits (polling, no fixed sleep) until `count` webhooks match. */
  async waitForWebhooks(match: (w: ReceivedWebhook) => boolean, count = 1, timeoutMs = 5_000): Promise<ReceivedWebhook[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.webhooks.filter(match);
      if (found.length >= count) return found;
      if (Date.now() > until) throw new Error(`only ${found.length} of ${count} webhooks arrived: ${JSON.stringify(this.webhooks.map((w) => w.body.event_type))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private open(): void {
    this.db = new Database(path.join(this.dir, 'sim.db'));
    this.sim = new PayPalSimulator({
      db: this.db,
      publicBaseUrl: this.base,
      webhookUrl: this.webhookUrl,
      webhookId: 'TEST-WEBHOOK',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      pendingCaptureMs: 200,
      webhookRetryDelaysMs: [0, 100, 300],
    });
  }
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}

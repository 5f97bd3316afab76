// A local stand-in for the DHL Express MyDHL API, mounted at `/sim/dhl/mydhlapi` on whatever HTTP
// server the runtime runs: create shipments (validation, Basic auth, PDF label) and track them, by
// waybill or by shipper reference, with tracking that advances over time and is pushed, signed, to
// our webhook. `/dev/shipments` exposes the simulator's state read-only for people and tests;
// `/sim/dhl/track?trackingNumber=` is the customer's tracking page.
// Behaviour and magic values: docs/carrier-simulator.md.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Database } from 'azure-standin/sqlite';
import { CarrierStore } from './carrier-store';
import type { PlannedEvent, ShipmentRecord, TrackingEventRecord } from './carrier-store';
import { renderLabelPdf } from './label-pdf';
import { checkShipmentRequest } from './mydhl-shipment-request';
import type { MyDhlShipmentRequest } from './mydhl-shipment-request';
import { TrackingDispatcher } from './tracking-dispatcher';
import { destinationOf, trackingPageHtml } from './tracking-page';

export interface CarrierSimulatorOptions {
  /** An open database; the simulator owns only its `cr_*` tables and never closes it. */
  db: Database;
  /** The simulator answers under `${publicBaseUrl}/sim/dhl/mydhlapi`. */
  publicBaseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Where tracking events are pushed; no pushes when absent. */
  webhookUrl?: string;
  /** Signs pushes (`x-dhl-timestamp`, `x-dhl-signature`); unsigned when absent. */
  webhookSecret?: string;
  /** Delay from creation to the transit event (default 3000 ms). */
  /** When the carrier picks the parcel up after the label is booked (default at once): until then there is no scan. */
  pickedUpAfterMs?: number;
  transitAfterMs?: number;
  /** Delay from creation to delivery (default 10000 ms). */
  deliveredAfterMs?: number;
  /** First webhook retry delay, doubling per attempt (default 1000 ms). */
  webhookRetryBaseMs?: number;
  /** Attempts per pushed event before giving up (default 10). */
  webhookMaxAttempts?: number;
  now?: () => number;
}

const apiPrefix = '/sim/dhl/mydhlapi';
const trackingPagePath = '/sim/dhl/track';
const maxBodyBytes = 1_000_000;

type Problem = { status: number; title: string; detail: string; additionalDetails?: string[] };

const trackingViews = ['all-checkpoints', 'all-checkpoints-with-remarks', 'last-checkpoint', 'shipment-details-only', 'advance-shipment', 'bbx-children'] as const;
type TrackingView = (typeof trackingViews)[number];
const levelsOfDetail = ['shipment', 'piece', 'all'];
const dayMs = 86_400_000;

export class CarrierSimulator {
  readonly name = 'DHL Express MyDHL API (shipments, tracking pushes)';
  private readonly store: CarrierStore;
  private readonly dispatcher: TrackingDispatcher;
  private readonly now: () => number;
  private readonly baseUrl: string;
  private readonly credentialDigest: Buffer;
  private readonly pickedUpAfterMs: number;
  private readonly transitAfterMs: number;
  private readonly deliveredAfterMs: number;

  constructor(options: CarrierSimulatorOptions) {
    this.store = new CarrierStore(options.db);
    this.now = options.now ?? Date.now;
    this.baseUrl = options.publicBaseUrl.replace(/\/+$/, '');
    this.credentialDigest = digest(`${options.apiKey}:${options.apiSecret}`);
    this.pickedUpAfterMs = options.pickedUpAfterMs ?? 0;
    this.transitAfterMs = options.transitAfterMs ?? 3000;
    this.deliveredAfterMs = options.deliveredAfterMs ?? 10_000;
    this.dispatcher = new TrackingDispatcher({
      store: this.store,
      now: this.now,
      webhookUrl: options.webhookUrl,
      webhookSecret: options.webhookSecret,
      retryBaseMs: options.webhookRetryBaseMs ?? 1000,
      maxAttempts: options.webhookMaxAttempts ?? 10,
      attemptTimeoutMs: 5000,
    });
    // Resume what a previous run left: overdue events and unfinished webhook deliveries.
    this.dispatcher.wake();
  }

  /** Answers requests under `/sim/dhl/` and `/dev/shipments`; false for anything else. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    const dev = path === '/dev/shipments' || path.startsWith('/dev/shipments/');
    if (!dev && !path.startsWith('/sim/dhl/')) return false;
    try {
      if (path === trackingPagePath) this.trackingPage(req, res, url);
      else if (dev) this.handleDev(req, res, url);
      else await this.handleApi(req, res, url);
    } catch (err) {
      console.error('carrier simulator: request failed', err);
      if (!res.headersSent) sendProblem(res, path, { status: 500, title: 'Internal Server Error', detail: 'The simulator failed to process the request' });
    }
    return true;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (!this.authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="MyDHL API"');
      return sendProblem(res, path, { status: 401, title: 'Unauthorized', detail: 'Invalid Credentials' });
    }
    const messageReference = header(req, 'message-reference');
    if (messageReference !== undefined && (messageReference.length < 28 || messageReference.length > 36)) {
      return sendProblem(res, path, { status: 400, title: 'Validation error', detail: 'Message-Reference must be 28 to 36 characters long', additionalDetails: ['Message-Reference: length must be between 28 and 36'] });
    }
    if (path === `${apiPrefix}/shipments`) {
      if (req.method !== 'POST') return sendProblem(res, path, { status: 405, title: 'Method Not Allowed', detail: `${req.method} is not supported here` });
      return this.createShipment(req, res, path, messageReference);
    }
    const tracking = new RegExp(`^${apiPrefix}/shipments/([^/]+)/tracking$`).exec(path);
    if (tracking && req.method === 'GET') return this.sendTracking(res, path, url, decodeURIComponent(tracking[1]));
    if (path === `${apiPrefix}/tracking`) {
      if (req.method !== 'GET') return sendProblem(res, path, { status: 405, title: 'Method Not Allowed', detail: `${req.method} is not supported here` });
      return this.searchTracking(res, path, url);
    }
    sendProblem(res, path, { status: 404, title: 'Not Found', detail: 'The simulator does not implement this resource' });
  }

  private async createShipment(req: http.IncomingMessage, res: http.ServerResponse, path: string, messageReference: string | undefined): Promise<void> {
    // A repeated Message-Reference is a retry: answer with the first shipment, create nothing.
    const earlier = messageReference !== undefined ? this.store.findByMessageReference(messageReference) : undefined;
    if (earlier) return sendJson(res, 201, earlier.response);

    const raw = await readBody(req);
    if (raw === undefined) return sendProblem(res, path, { status: 413, title: 'Payload Too Large', detail: `Request body exceeds ${maxBodyBytes} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendProblem(res, path, { status: 400, title: 'Validation error', detail: 'Request body is not valid JSON' });
    }
    const receiverLine1 = receiverAddressLine1(body);
    // An outage: always, or for the first n requests per Message-Reference.
    const down = /CARRIER-DOWN(?:-(\d+))?/.exec(receiverLine1);
    if (down && (down[1] === undefined || this.store.countAttempt(`down|${messageReference ?? ''}`) <= Number(down[1]))) {
      return sendProblem(res, path, { status: 503, title: 'Service Unavailable', detail: 'The service is temporarily unavailable, please try again later' });
    }
    // As if our credentials were wrong: always, or for the first n requests per Message-Reference.
    const unauthorized = /CARRIER-UNAUTHORIZED(?:-(\d+))?/.exec(receiverLine1);
    if (unauthorized && (unauthorized[1] === undefined || this.store.countAttempt(`unauthorized|${messageReference ?? ''}`) <= Number(unauthorized[1]))) {
      res.setHeader('WWW-Authenticate', 'Basic realm="MyDHL API"');
      return sendProblem(res, path, { status: 401, title: 'Unauthorized', detail: 'Invalid Credentials' });
    }
    const check = checkShipmentRequest(body);
    if (!check.ok) return sendProblem(res, path, check);
    // Without a Message-Reference every request is a "first" one, so FLAKY then always fails.
    if (receiverLine1.includes('CARRIER-FLAKY') && (messageReference === undefined || this.store.markFailedOnce(messageReference, this.now()))) {
      return sendProblem(res, path, { status: 500, title: 'Internal Server Error', detail: 'An unexpected error occurred, please retry' });
    }

    // The booking happens but its answer never arrives: always, or for the first n bookings per
    // Message-Reference. Such a shipment is stored without its Message-Reference, so a blind retry
    // books a second one, as it may at DHL (where the header is not an idempotency key).
    const lost = /CARRIER-LOST(?:-(\d+))?/.exec(receiverLine1);
    const loseAnswer = lost !== null && (lost[1] === undefined || this.store.countAttempt(`lost|${messageReference ?? ''}`) <= Number(lost[1]));

    const shipment = await this.buildShipment(check.request, loseAnswer ? undefined : messageReference);
    const events = this.plannedEvents(shipment.createdAt, receiverLine1.includes('NO-DELIVERY'));
    const stored = this.store.createShipment(shipment, events);
    this.dispatcher.wake();
    if (loseAnswer) {
      // A reset after the request was taken: to the client, no different from a timeout.
      req.socket.destroy();
      return;
    }
    sendJson(res, 201, stored.response);
  }

  private async buildShipment(r: MyDhlShipmentRequest, messageReference: string | undefined): Promise<ShipmentRecord> {
    const createdAt = this.now();
    const trackingNumber = this.newTrackingNumber();
    const pieces = r.content.packages.map((p, i) => ({ referenceNumber: i + 1, trackingNumber: newPieceId(), weight: p.weight }));
    const reference = r.customerReferences?.[0]?.value ?? null;
    const { shipperDetails: s, receiverDetails: d } = r.customerDetails;
    const label = await renderLabelPdf({
      trackingNumber,
      pieceId: pieces[0].trackingNumber,
      productCode: r.productCode,
      shipper: [s.contactInformation.companyName, s.postalAddress.addressLine1, `${s.postalAddress.postalCode} ${s.postalAddress.cityName}`, s.postalAddress.countryCode],
      receiver: [
        d.contactInformation.fullName,
        d.postalAddress.addressLine1,
        ...(d.postalAddress.addressLine2 ? [d.postalAddress.addressLine2] : []),
        `${d.postalAddress.postalCode} ${d.postalAddress.cityName}`,
        d.postalAddress.countryCode,
      ],
      weightKg: pieces.reduce((sum, p) => sum + p.weight, 0),
      pieces: pieces.length,
      reference: reference ?? undefined,
      createdAt: new Date(createdAt),
    });
    const trackingUrl = `${this.baseUrl}${apiPrefix}/shipments/${trackingNumber}/tracking`;
    const response = {
      url: `${this.baseUrl}${apiPrefix}/shipments`,
      shipmentTrackingNumber: trackingNumber,
      trackingUrl,
      packages: pieces.map((p) => ({ referenceNumber: p.referenceNumber, trackingNumber: p.trackingNumber, trackingUrl: `${trackingUrl}?pieceTrackingNumber=${p.trackingNumber}` })),
      documents: [{ imageFormat: 'PDF', content: label.toString('base64'), typeCode: 'label' }],
    };
    return { trackingNumber, messageReference: messageReference ?? null, reference, createdAt, request: r, response };
  }

  private plannedEvents(createdAt: number, neverDelivered: boolean): PlannedEvent[] {
    const events: PlannedEvent[] = [
      { typeCode: 'PU', description: 'Shipment picked up', status: 'picked-up', dueAt: createdAt + this.pickedUpAfterMs },
      { typeCode: 'PL', description: 'Processed at DHL facility', status: 'in-transit', dueAt: createdAt + this.transitAfterMs },
    ];
    if (!neverDelivered) events.push({ typeCode: 'OK', description: 'Delivered', status: 'delivered', dueAt: createdAt + this.deliveredAfterMs });
    return events;
  }

  /** GET /shipments/{shipmentTrackingNumber}/tracking */
  private sendTracking(res: http.ServerResponse, path: string, url: URL, trackingNumber: string): void {
    const view = checkView(url);
    if (typeof view !== 'string') return sendProblem(res, path, view);
    const shipment = this.store.get(trackingNumber);
    if (!shipment) return sendProblem(res, path, { status: 404, title: 'Not Found', detail: `No shipment found with tracking number ${trackingNumber}` });
    this.dispatcher.emitDue();
    sendJson(res, 200, { shipments: [this.trackingEntry(shipment, view)] });
  }

  /**
   * GET /tracking: by waybills (`shipmentTrackingNumber`, repeatable) or by the reference given at
   * booking (`shipmentReference`, optionally `shipmentReferenceType`), which MyDHL scopes to the
   * shipper account and a date range; 404 when nothing matches.
   */
  private searchTracking(res: http.ServerResponse, path: string, url: URL): void {
    const q = url.searchParams;
    const view = checkView(url);
    if (typeof view !== 'string') return sendProblem(res, path, view);
    const numbers = q.getAll('shipmentTrackingNumber').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    const reference = q.get('shipmentReference') ?? undefined;
    const problems: string[] = [];
    if (q.getAll('pieceTrackingNumber').length > 0) problems.push('pieceTrackingNumber: not supported by this simulator');
    if (numbers.length === 0 && reference === undefined) problems.push('shipmentTrackingNumber or shipmentReference: one of them is required');
    let found: ShipmentRecord[] = [];
    if (numbers.length > 0) {
      for (const n of numbers) if (!/^\d{10}$/.test(n)) problems.push(`shipmentTrackingNumber: "${n}" is not a 10-digit DHL Express waybill`);
      if (problems.length === 0) found = numbers.map((n) => this.store.get(n)).filter((x): x is ShipmentRecord => x !== undefined);
    } else if (reference !== undefined) {
      const type = q.get('shipmentReferenceType') ?? undefined;
      const account = q.get('shipperAccountNumber') ?? '';
      const from = q.get('dateRangeFrom') ?? '';
      const to = q.get('dateRangeTo') ?? '';
      if (reference.trim() === '' || reference.length > 35) problems.push('shipmentReference: must be 1 to 35 characters');
      if (type !== undefined && !/^[A-Z0-9]{2,3}$/.test(type)) problems.push('shipmentReferenceType: must be a 2 or 3 character reference type code');
      if (!/^\d{9,12}$/.test(account)) problems.push('shipperAccountNumber: required when tracking by shipmentReference, 9 to 12 digits');
      const fromMs = parseDay(from);
      const toMs = parseDay(to);
      if (fromMs === undefined) problems.push('dateRangeFrom: required when tracking by shipmentReference, format YYYY-MM-DD');
      if (toMs === undefined) problems.push('dateRangeTo: required when tracking by shipmentReference, format YYYY-MM-DD');
      if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) problems.push('dateRangeTo: must not be before dateRangeFrom');
      if (problems.length === 0) found = this.store.findByCustomerReference({ value: reference, typeCode: type, shipperAccount: account, fromMs: fromMs!, toMs: toMs! + dayMs - 1 });
    }
    if (problems.length > 0) return sendProblem(res, path, { status: 400, title: 'Validation error', detail: 'Multiple problems found, see Additional Details', additionalDetails: problems });
    if (found.length === 0) return sendProblem(res, path, { status: 404, title: 'No data found', detail: 'No shipment matches the search criteria' });
    this.dispatcher.emitDue();
    sendJson(res, 200, { shipments: found.map((s) => this.trackingEntry(s, view)) });
  }

  /** One element of MyDHL's `shipments` array, its events cut to what `trackingView` asks for. */
  private trackingEntry(shipment: ShipmentRecord, view: TrackingView): object {
    const r = shipment.request as MyDhlShipmentRequest;
    const { shipperDetails: s, receiverDetails: d } = r.customerDetails;
    const area = (city: string, country: string) => [{ code: city.replace(/[^A-Za-z]/g, '').slice(0, 3).toUpperCase(), description: `${city}-${country}` }];
    const all = this.store.emittedEvents(shipment.trackingNumber).map((e) => ({
      ...eventDateTime(e),
      typeCode: e.typeCode,
      description: e.description,
      serviceArea: e.typeCode === 'OK' ? area(d.postalAddress.cityName, d.postalAddress.countryCode) : area(s.postalAddress.cityName, s.postalAddress.countryCode),
    }));
    const events = view === 'shipment-details-only' ? [] : view === 'last-checkpoint' ? all.slice(-1) : all;
    return {
      shipmentTrackingNumber: shipment.trackingNumber,
      status: 'Success',
      shipmentTimestamp: new Date(shipment.createdAt).toISOString().slice(0, 19),
      productCode: r.productCode,
      description: r.content.description,
      shipperDetails: { name: s.contactInformation.companyName, postalAddress: { cityName: s.postalAddress.cityName, postalCode: s.postalAddress.postalCode, countryCode: s.postalAddress.countryCode } },
      receiverDetails: { name: d.contactInformation.fullName, postalAddress: { cityName: d.postalAddress.cityName, postalCode: d.postalAddress.postalCode, countryCode: d.postalAddress.countryCode } },
      totalWeight: r.content.packages.reduce((sum, p) => sum + p.weight, 0),
      unitOfMeasurements: r.content.unitOfMeasurement,
      shipperReferences: (r.customerReferences ?? []).map((c) => ({ value: c.value, typeCode: c.typeCode ?? 'CU' })),
      numberOfPieces: r.content.packages.length,
      events,
    };
  }

  /** The public tracking page customers open from the shipped email (DHL's tracking site, simulated). */
  private trackingPage(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    this.dispatcher.emitDue();
    const trackingNumber = url.searchParams.get('trackingNumber') ?? url.searchParams.get('tracking-id') ?? '';
    const shipment = trackingNumber ? this.store.get(trackingNumber) : undefined;
    const page = shipment
      ? trackingPageHtml({ trackingNumber, destination: destinationOf(shipment.request), events: this.store.emittedEvents(trackingNumber).map((e) => ({ at: new Date(e.dueAt).toISOString(), description: e.description, status: e.status })) })
      : trackingPageHtml({ trackingNumber, events: [] });
    res.writeHead(shipment ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  }

  private handleDev(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'read-only: use GET' });
    this.dispatcher.emitDue();
    const one = /^\/dev\/shipments\/([^/]+)$/.exec(url.pathname);
    if (one) {
      const s = this.store.get(decodeURIComponent(one[1]));
      return s ? sendJson(res, 200, this.inspect(s)) : sendJson(res, 404, { error: 'no such shipment' });
    }
    if (url.pathname !== '/dev/shipments') return sendJson(res, 404, { error: 'not found' });
    const reference = url.searchParams.get('reference');
    if (reference) return sendJson(res, 200, { shipments: this.store.findByReference(reference).map((s) => this.inspect(s)) });
    // Without a reference: every shipment, newest first (at most ?limit=, default 500).
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 500) || 500, 1), 5000);
    sendJson(res, 200, { shipments: this.store.all(limit).map((s) => this.inspect(s)) });
  }

  private inspect(s: ShipmentRecord): object {
    const response = s.response as { documents?: { content?: string }[] };
    return {
      trackingNumber: s.trackingNumber,
      reference: s.reference,
      messageReference: s.messageReference,
      createdAt: new Date(s.createdAt).toISOString(),
      labelBytes: Buffer.from(response.documents?.[0]?.content ?? '', 'base64').length,
      request: s.request,
      events: this.store.allEvents(s.trackingNumber).map((e) => ({ typeCode: e.typeCode, description: e.description, status: e.status, dueAt: new Date(e.dueAt).toISOString(), emitted: e.emitted })),
      webhookDeliveries: this.store.deliveries(s.trackingNumber).map((w) => ({
        eventId: w.eventId,
        body: JSON.parse(w.body) as unknown,
        attempts: w.attempts,
        deliveredAt: w.deliveredAt === null ? null : new Date(w.deliveredAt).toISOString(),
        gaveUpAt: w.gaveUpAt === null ? null : new Date(w.gaveUpAt).toISOString(),
        nextAttemptAt: w.deliveredAt === null && w.gaveUpAt === null ? new Date(w.nextAttemptAt).toISOString() : null,
        lastError: w.lastError,
        attemptLog: w.attemptLog.map((a) => ({ at: new Date(a.at).toISOString(), ok: a.ok, outcome: a.outcome })),
      })),
    };
  }

  private authorized(authorization: string | undefined): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return false;
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    return timingSafeEqual(digest(Buffer.from(m[1], 'base64').toString('utf8')), this.credentialDigest);
  }

  /** A DHL Express waybill: ten digits, the last being the first nine modulo 7. */
  private newTrackingNumber(): string {
    for (;;) {
      const body = String(randomInt(100_000_000, 1_000_000_000));
      const n = body + String(Number(body) % 7);
      if (!this.store.trackingNumberExists(n)) return n;
    }
  }
}

/** Piece identifiers look like DHL's licence-plate numbers: "JD01" followed by 16 digits. */
function newPieceId(): string {
  return 'JD01' + Array.from({ length: 16 }, () => randomInt(10)).join('');
}

/** `trackingView` as MyDHL accepts it (default all-checkpoints), `levelOfDetail` checked alongside. */
function checkView(url: URL): TrackingView | Problem {
  const view = url.searchParams.get('trackingView') ?? 'all-checkpoints';
  const level = url.searchParams.get('levelOfDetail') ?? 'shipment';
  const problems: string[] = [];
  if (!(trackingViews as readonly string[]).includes(view)) problems.push(`trackingView: must be one of ${trackingViews.join(', ')}`);
  if (!levelsOfDetail.includes(level)) problems.push(`levelOfDetail: must be one of ${levelsOfDetail.join(', ')}`);
  return problems.length > 0 ? { status: 400, title: 'Validation error', detail: 'Multiple problems found, see Additional Details', additionalDetails: problems } : (view as TrackingView);
}

/** Midnight UTC of a YYYY-MM-DD day, if it is a real date. */
function parseDay(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? undefined : ms;
}

function eventDateTime(e: TrackingEventRecord): { date: string; time: string; GMTOffset: string } {
  const iso = new Date(e.dueAt).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19), GMTOffset: '+00:00' };
}

function receiverAddressLine1(body: unknown): string {
  const line = (body as { customerDetails?: { receiverDetails?: { postalAddress?: { addressLine1?: unknown } } } } | null)?.customerDetails?.receiverDetails?.postalAddress?.addressLine1;
  return typeof line === 'string' ? line : '';
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** MyDHL's error shape; like MyDHL, `status` is the HTTP status as a string. */
function sendProblem(res: http.ServerResponse, instance: string, p: Problem): void {
  const message = { 400: 'Bad request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' }[p.status] ?? 'Error';
  sendJson(res, p.status, { instance, detail: p.detail, title: p.title, message, status: String(p.status), ...(p.additionalDetails ? { additionalDetails: p.additionalDetails } : {}) });
}

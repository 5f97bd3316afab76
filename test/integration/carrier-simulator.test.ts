// The MyDHL simulator driven through the real DhlCarrierGateway over HTTP: shipment creation and
// its failure modes, idempotency on Message-Reference, finding a booking whose answer was lost by
// its reference (GET /tracking), and signed, ordered, retried, restart-proof tracking pushes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Database } from 'azure-standin/sqlite';
import { DhlCarrierGateway, carrierTrackingEventSchema, publicTrackingUrl, verifyCarrierWebhook } from '../../adapters/carrier/dhl-carrier-gateway';
import type { ShipmentRequest } from '../../application/ports';
import { money } from '../../domain/money';
import { CarrierSimulator } from 'commerce-simulators';
import type { CarrierSimulatorOptions } from 'commerce-simulators';
import { tempDir } from 'azure-standin/testing';

const apiKey = 'sim-key';
const apiSecret = 'sim-secret';
const webhookSecret = 'whsec-test';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return { url, close };
}

type SimOptions = Partial<Omit<CarrierSimulatorOptions, 'db' | 'publicBaseUrl'>>;

/** A plain HTTP server delegating to the simulator, as the runtime mounts it. */
async function startSimulator(dbFile: string, options: SimOptions = {}) {
  const db = new Database(dbFile);
  // The simulator needs the server's address, and the server needs the simulator.
  const mounted: { sim?: CarrierSimulator } = {};
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void mounted.sim!.handle(req, res, url).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  const sim = new CarrierSimulator({ db, publicBaseUrl: server.url, apiKey, apiSecret, webhookSecret, ...options });
  mounted.sim = sim;
  const stop = async () => {
    await sim.close();
    await server.close();
    if (db.open) db.close();
  };
  cleanups.push(stop);
  const gateway = (overrides: { apiKey?: string; accountNumber?: string } = {}) =>
    new DhlCarrierGateway({
      baseUrl: `${server.url}/sim/dhl/mydhlapi`,
      apiKey: overrides.apiKey ?? apiKey,
      apiSecret,
      accountNumber: overrides.accountNumber ?? '123456789',
      shipper: { name: 'Test Shop GmbH', line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE', email: 'shop@example.com', phone: '+49 30 1234567' },
      timeoutMs: 5000,
    });
  const dev = async (p: string) => (await fetch(`${server.url}${p}`)).json() as Promise<DevShipments & DevShipment>;
  return { url: server.url, gateway, dev, stop };
}

interface DevShipment {
  trackingNumber: string;
  reference: string;
  events: { typeCode: string; emitted: boolean }[];
  webhookDeliveries: { attempts: number; deliveredAt: string | null; lastError: string | null; attemptLog: { ok: boolean; outcome: string }[]; body: { event: { typeCode: string } } }[];
}
interface DevShipments {
  shipments: DevShipment[];
}

interface Received {
  raw: string;
  signature: string | null;
  timestamp: string | null;
  /** Our clock when the push arrived (the simulator's, if it was given one). */
  receivedAtMs: number;
}

/** Our webhook endpoint stand-in; answers 500 to the first `failFirst` requests, calling `onFail` after each. */
async function startReceiver(failFirst = 0, options: { now?: () => number; onFail?: () => void } = {}) {
  const received: Received[] = [];
  let requests = 0;
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const header = (name: string) => (req.headers[name] as string | undefined) ?? null;
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), signature: header('x-dhl-signature'), timestamp: header('x-dhl-timestamp'), receivedAtMs: (options.now ?? Date.now)() });
      const fail = requests <= failFirst;
      res.writeHead(fail ? 500 : 200).end();
      if (fail) options.onFail?.();
    });
  });
  return { url: `${server.url}/v1/webhooks/carrier`, received, close: server.close };
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
function shipment(overrides: { line1?: string; postalCode?: string; country?: string; name?: string; reference?: string } = {}): ShipmentRequest {
  const orderId = `ord_test${String(++seq).padStart(12, '0')}`;
  return {
    orderId,
    reference: overrides.reference ?? orderId,
    recipient: { name: overrides.name ?? 'Erika Mustermann', line1: overrides.line1 ?? 'Hauptstraße 5', city: 'München', postalCode: overrides.postalCode ?? '80331', country: overrides.country ?? 'DE', email: 'erika@example.com' },
    packages: [{ weightGrams: 1250 }],
    declaredValue: money(4999, 'EUR'),
    service: 'standard',
  };
}

const db = () => path.join(tempDir('carrier-sim-'), 'sim.db');

test('creates a shipment: a DHL-style waybill, a real PDF label, the public tracking URL', async () => {
  const sim = await startSimulator(db());
  const req = shipment();
  const r = await sim.gateway().createShipment(req);
  if (!r.ok) throw new Error(r.reason);
  expect(r.carrier).toBe('DHL Express');
  expect(r.trackingNumber).toMatch(/^\d{10}$/);
  // DHL Express check digit: the first nine digits modulo 7.
  expect(Number(r.trackingNumber.slice(0, 9)) % 7).toBe(Number(r.trackingNumber[9]));
  expect(r.trackingUrl).toBe(publicTrackingUrl(r.trackingNumber));
  const pdf = Buffer.from(r.labelPdfBase64, 'base64');
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.subarray(-8).toString('latin1')).toContain('%%EOF');
  const listed = await sim.dev(`/dev/shipments?reference=${req.orderId}`);
  expect(listed.shipments.map((s) => s.trackingNumber)).toEqual([r.trackingNumber]);
});

test('invalid requests are refused as MyDHL does and are not retryable', async () => {
  const sim = await startSimulator(db());
  const gw = sim.gateway();
  // A malformed body: 400 listing every missing field.
  const raw = await fetch(`${sim.url}/sim/dhl/mydhlapi/shipments`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${apiKey}:${apiSecret}`).toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ productCode: 'N', content: { packages: [] } }),
  });
  expect(raw.status).toBe(400);
  const problem = (await raw.json()) as { status: string; title: string; additionalDetails: string[] };
  expect(problem.status).toBe('400');
  const details = problem.additionalDetails.join('\n');
  for (const field of ['#/plannedShippingDateAndTime', '#/accounts', '#/customerDetails', '#/content/packages', '#/content/description']) expect(details).toContain(field);

  const blankName = await gw.createShipment(shipment({ name: ' ' }));
  expect(blankName).toMatchObject({ ok: false, retryable: false });
  expect(!blankName.ok && blankName.reason).toMatch(/DHL 400.*receiverDetails\/contactInformation\/fullName/);

  const badPostal = await gw.createShipment(shipment({ postalCode: '1234' }));
  expect(badPostal).toMatchObject({ ok: false, retryable: false });
  expect(!badPostal.ok && badPostal.reason).toMatch(/DHL 422.*postal code/);

  const unknownCountry = await gw.createShipment(shipment({ country: 'QQ' }));
  expect(unknownCountry).toMatchObject({ ok: false, retryable: false });
  expect(!unknownCountry.ok && unknownCountry.reason).toMatch(/DHL 422.*QQ/);

  const unserviceable = await gw.createShipment(shipment({ postalCode: '99999' }));
  expect(unserviceable).toMatchObject({ ok: false, kind: 'refused', retryable: false });
  expect(!unserviceable.ok && unserviceable.reason).toMatch(/DHL 422.*not serviceable/);
});

test('wrong credentials are a 401: our configuration, retryable, never blamed on the order', async () => {
  const sim = await startSimulator(db());
  const r = await sim.gateway({ apiKey: 'wrong' }).createShipment(shipment());
  expect(r).toMatchObject({ ok: false, kind: 'unauthorized', retryable: true });
  expect(!r.ok && r.reason).toMatch(/^DHL refused our credentials: DHL 401/);
});

test('CARRIER-UNAUTHORIZED answers 401 every time; CARRIER-UNAUTHORIZED-<n> for the first n requests per Message-Reference', async () => {
  const sim = await startSimulator(db());
  const always = shipment({ line1: 'CARRIER-UNAUTHORIZED Weg 1' });
  for (let i = 0; i < 3; i++) expect(await sim.gateway().createShipment(always)).toMatchObject({ ok: false, kind: 'unauthorized', retryable: true });
  expect((await sim.dev(`/dev/shipments?reference=${always.orderId}`)).shipments).toEqual([]);

  const twice = shipment({ line1: 'CARRIER-UNAUTHORIZED-2 Weg 1' });
  expect(await sim.gateway().createShipment(twice)).toMatchObject({ ok: false, kind: 'unauthorized' });
  expect(await sim.gateway().createShipment(twice)).toMatchObject({ ok: false, kind: 'unauthorized' });
  const third = await sim.gateway().createShipment(twice);
  expect(third).toMatchObject({ ok: true });
  expect((await sim.dev(`/dev/shipments?reference=${twice.reference}`)).shipments).toHaveLength(1);
});

test('CARRIER-DOWN is a retryable 503 every time', async () => {
  const sim = await startSimulator(db());
  const req = shipment({ line1: 'CARRIER-DOWN 1' });
  for (let i = 0; i < 2; i++) {
    const r = await sim.gateway().createShipment(req);
    expect(r).toMatchObject({ ok: false, kind: 'unavailable', retryable: true });
    expect(!r.ok && r.reason).toMatch(/^DHL 503/);
  }
  expect((await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments).toEqual([]);
});

test('CARRIER-DOWN-<n> is an outage of n requests per Message-Reference, then the shipment is booked once', async () => {
  const sim = await startSimulator(db());
  const req = shipment({ line1: 'CARRIER-DOWN-2 1' });
  for (let i = 0; i < 2; i++) expect(await sim.gateway().createShipment(req)).toMatchObject({ ok: false, kind: 'unavailable', retryable: true });
  const booked = await sim.gateway().createShipment(req);
  expect(booked).toMatchObject({ ok: true });
  expect(await sim.gateway().createShipment(req)).toEqual(booked);
  expect((await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments).toHaveLength(1);
});

test('an unreachable carrier is retryable', async () => {
  const sim = await startSimulator(db());
  const gw = sim.gateway();
  await sim.stop();
  expect(await gw.createShipment(shipment())).toMatchObject({ ok: false, retryable: true });
});

test('CARRIER-FLAKY fails once per Message-Reference; the retry with the same reference creates exactly one shipment', async () => {
  const sim = await startSimulator(db());
  const req = shipment({ line1: 'CARRIER-FLAKY Weg 1' });
  const first = await sim.gateway().createShipment(req);
  expect(first).toMatchObject({ ok: false, retryable: true });
  expect(!first.ok && first.reason).toMatch(/^DHL 500/);
  const retry = await sim.gateway().createShipment(req);
  const again = await sim.gateway().createShipment(req);
  if (!retry.ok || !again.ok) throw new Error('retry failed');
  expect(again.trackingNumber).toBe(retry.trackingNumber);
  expect((await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments.map((s) => s.trackingNumber)).toEqual([retry.trackingNumber]);
});

test('a repeated request (same reference) returns the first shipment; another reference creates a new one', async () => {
  const sim = await startSimulator(db());
  const req = shipment();
  const [a, b] = await Promise.all([sim.gateway().createShipment(req), sim.gateway().createShipment(req)]);
  const c = await sim.gateway().createShipment(req);
  if (!a.ok || !b.ok || !c.ok) throw new Error('create failed');
  expect(new Set([a.trackingNumber, b.trackingNumber, c.trackingNumber]).size).toBe(1);
  expect(c.labelPdfBase64).toBe(a.labelPdfBase64);
  expect((await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments).toHaveLength(1);
  const other = await sim.gateway().createShipment({ ...req, reference: `${req.reference}-2` });
  expect(other.ok && other.trackingNumber).not.toBe(a.trackingNumber);
});

/** Every push must verify as our webhook verifies it: signature over timestamp and body, timestamp fresh. */
function parsePushes(received: Received[]) {
  return received.map((r) => {
    expect(verifyCarrierWebhook({ rawBody: r.raw, signature: r.signature, timestamp: r.timestamp, secrets: [webhookSecret], nowMs: r.receivedAtMs, toleranceSeconds: 300 })).toBe('ok');
    return carrierTrackingEventSchema.parse(JSON.parse(r.raw));
  });
}

test('tracking advances PU → PL → OK, each pushed signed and in order; the tracking API agrees', async () => {
  const receiver = await startReceiver();
  const sim = await startSimulator(db(), { webhookUrl: receiver.url, transitAfterMs: 150, deliveredAfterMs: 300 });
  const req = shipment();
  const r = await sim.gateway().createShipment(req);
  if (!r.ok) throw new Error(r.reason);
  await until('three pushes', () => receiver.received.length >= 3);
  await sleep(100); // nothing more may follow
  const pushes = parsePushes(receiver.received);
  expect(pushes.map((p) => [p.event.typeCode, p.status])).toEqual([['PU', 'picked-up'], ['PL', 'in-transit'], ['OK', 'delivered']]);
  for (const p of pushes) expect(p).toMatchObject({ shipmentTrackingNumber: r.trackingNumber, reference: req.orderId });
  const times = pushes.map((p) => Date.parse(p.event.timestamp));
  expect(times[2] - times[0]).toBe(300);

  const tracking = await fetch(`${sim.url}/sim/dhl/mydhlapi/shipments/${r.trackingNumber}/tracking`, { headers: { authorization: 'Basic ' + Buffer.from(`${apiKey}:${apiSecret}`).toString('base64') } });
  expect(tracking.status).toBe(200);
  const body = (await tracking.json()) as { shipments: { shipmentTrackingNumber: string; events: { typeCode: string; date: string; time: string }[] }[] };
  expect(body.shipments[0].shipmentTrackingNumber).toBe(r.trackingNumber);
  expect(body.shipments[0].events.map((e) => e.typeCode)).toEqual(['PU', 'PL', 'OK']);
  expect(body.shipments[0].events.map((e) => `${e.date}T${e.time}`)).toEqual(pushes.map((p) => p.event.timestamp.slice(0, 19)));
});

test('NO-DELIVERY shipments stay in transit', async () => {
  const receiver = await startReceiver();
  const sim = await startSimulator(db(), { webhookUrl: receiver.url, transitAfterMs: 50, deliveredAfterMs: 100 });
  const r = await sim.gateway().createShipment(shipment({ line1: 'NO-DELIVERY Allee 2' }));
  if (!r.ok) throw new Error(r.reason);
  await until('two pushes', () => receiver.received.length >= 2);
  await sleep(250);
  expect(parsePushes(receiver.received).map((p) => p.event.typeCode)).toEqual(['PU', 'PL']);
});

test('a push the receiver refuses is re-delivered with the same body, before later events', async () => {
  const receiver = await startReceiver(1);
  const sim = await startSimulator(db(), { webhookUrl: receiver.url, transitAfterMs: 20, deliveredAfterMs: 40, webhookRetryBaseMs: 200 });
  const r = await sim.gateway().createShipment(shipment());
  if (!r.ok) throw new Error(r.reason);
  await until('four requests', () => receiver.received.length >= 4);
  const pushes = parsePushes(receiver.received);
  expect(pushes.map((p) => p.event.typeCode)).toEqual(['PU', 'PU', 'PL', 'OK']);
  expect(receiver.received[1].raw).toBe(receiver.received[0].raw);
  const inspected = await sim.dev(`/dev/shipments/${r.trackingNumber}`);
  expect(inspected.webhookDeliveries.map((d) => [d.body.event.typeCode, d.attempts, d.deliveredAt !== null])).toEqual([['PU', 2, true], ['PL', 1, true], ['OK', 1, true]]);
  expect(inspected.webhookDeliveries[0].attemptLog.map((a) => [a.ok, a.outcome])).toEqual([[false, 'HTTP 500'], [true, 'HTTP 200']]);
});

test('each delivery attempt is signed afresh: a push re-delivered an hour later still verifies, over the same body', async () => {
  // One clock for simulator and receiver; the first (refused) attempt moves it an hour on.
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const receiver = await startReceiver(1, { now, onFail: () => (offsetMs += 3_600_000) });
  const sim = await startSimulator(db(), { webhookUrl: receiver.url, transitAfterMs: 60_000_000, deliveredAfterMs: 120_000_000, webhookRetryBaseMs: 100, now });
  const r = await sim.gateway().createShipment(shipment());
  if (!r.ok) throw new Error(r.reason);
  await until('the re-delivery', () => receiver.received.length >= 2);
  const [first, again] = receiver.received;
  expect(again.raw).toBe(first.raw);
  expect(Number(again.timestamp) - Number(first.timestamp)).toBeGreaterThanOrEqual(3600);
  // Both verify at the time they arrived; the first one's headers, replayed now, do not.
  expect(parsePushes(receiver.received).map((p) => p.event.typeCode)).toEqual(['PU', 'PU']);
  expect(verifyCarrierWebhook({ rawBody: first.raw, signature: first.signature, timestamp: first.timestamp, secrets: [webhookSecret], nowMs: now(), toleranceSeconds: 300 })).toBe('stale');
});

test('scheduled events survive a restart: a reopened simulator on the same database delivers them', async () => {
  const file = db();
  const receiver = await startReceiver();
  const first = await startSimulator(file, { webhookUrl: receiver.url, transitAfterMs: 400, deliveredAfterMs: 600 });
  const r = await first.gateway().createShipment(shipment());
  if (!r.ok) throw new Error(r.reason);
  await until('the PU push', () => receiver.received.length >= 1);
  await first.stop();
  await sleep(700); // both remaining events fall due while nothing runs
  expect(receiver.received).toHaveLength(1);

  const second = await startSimulator(file, { webhookUrl: receiver.url, transitAfterMs: 400, deliveredAfterMs: 600 });
  await until('the remaining pushes', () => receiver.received.length >= 3);
  expect(parsePushes(receiver.received).map((p) => p.event.typeCode)).toEqual(['PU', 'PL', 'OK']);
  const inspected = await second.dev(`/dev/shipments/${r.trackingNumber}`);
  expect(inspected.events.map((e) => [e.typeCode, e.emitted])).toEqual([['PU', true], ['PL', true], ['OK', true]]);
});

// ---- finding a booking whose answer was lost (GET /tracking by shipper reference) ----

const basicAuth = { authorization: 'Basic ' + Buffer.from(`${apiKey}:${apiSecret}`).toString('base64') };
const today = () => new Date().toISOString().slice(0, 10);

test('CARRIER-LOST-1: the booking is made but its answer is lost; findShipment finds exactly that shipment, so nothing is booked twice', async () => {
  const sim = await startSimulator(db());
  const gw = sim.gateway();
  const req = shipment({ line1: 'CARRIER-LOST-1 Weg 3' });
  expect(await gw.findShipment(req.reference)).toEqual({ ok: true });

  const lost = await gw.createShipment(req);
  expect(lost).toMatchObject({ ok: false, kind: 'unavailable', retryable: true });
  const booked = (await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments;
  expect(booked).toHaveLength(1);

  // What the saga does before booking again: ask, and keep what the lost attempt created.
  const found = await gw.findShipment(req.reference);
  expect(found).toEqual({ ok: true, shipment: { carrier: 'DHL Express', trackingNumber: booked[0].trackingNumber, trackingUrl: publicTrackingUrl(booked[0].trackingNumber) } });
  expect((await sim.dev(`/dev/shipments?reference=${req.orderId}`)).shipments.map((s) => s.trackingNumber)).toEqual([booked[0].trackingNumber]);
});

test('CARRIER-LOST: a blind retry books a second shipment, as DHL may; findShipment names the oldest', async () => {
  const sim = await startSimulator(db());
  const gw = sim.gateway();
  const once = shipment({ line1: 'CARRIER-LOST-1 Weg 4' });
  expect(await gw.createShipment(once)).toMatchObject({ ok: false, kind: 'unavailable' });
  const retry = await gw.createShipment(once);
  if (!retry.ok) throw new Error(retry.reason);
  const both = (await sim.dev(`/dev/shipments?reference=${once.orderId}`)).shipments.map((s) => s.trackingNumber);
  expect(both).toHaveLength(2);
  expect(both[1]).toBe(retry.trackingNumber);
  expect(await gw.findShipment(once.reference)).toMatchObject({ ok: true, shipment: { trackingNumber: both[0] } });
  // The answered booking is an ordinary one again: its Message-Reference is remembered.
  expect(await gw.createShipment(once)).toEqual(retry);

  // Without a count, no booking is ever answered, yet each one is made.
  const always = shipment({ line1: 'CARRIER-LOST Weg 5' });
  for (let i = 0; i < 2; i++) expect(await gw.createShipment(always)).toMatchObject({ ok: false, kind: 'unavailable' });
  expect((await sim.dev(`/dev/shipments?reference=${always.orderId}`)).shipments).toHaveLength(2);
});

test('findShipment finds bookings by their reference, only under our shipper account', async () => {
  const sim = await startSimulator(db());
  const gw = sim.gateway();
  const plain = shipment();
  const a = await gw.createShipment(plain);
  if (!a.ok) throw new Error(a.reason);
  expect(await gw.findShipment(plain.reference)).toEqual({ ok: true, shipment: { carrier: a.carrier, trackingNumber: a.trackingNumber, trackingUrl: a.trackingUrl } });

  // A reference other than the order id is sent as a customer reference of its own.
  const other = shipment();
  const referenced = { ...other, reference: `${other.orderId}-r2` };
  const b = await gw.createShipment(referenced);
  if (!b.ok) throw new Error(b.reason);
  expect(await gw.findShipment(referenced.reference)).toMatchObject({ ok: true, shipment: { trackingNumber: b.trackingNumber } });

  expect(await gw.findShipment('ord_nothing0000000000')).toEqual({ ok: true });
  expect(await sim.gateway({ accountNumber: '987654321' }).findShipment(plain.reference)).toEqual({ ok: true });
});

test('findShipment failures map as createShipment\'s: 401 unauthorized, unreachable unavailable', async () => {
  const sim = await startSimulator(db());
  const denied = await sim.gateway({ apiKey: 'wrong' }).findShipment('ord_any0000000000000');
  expect(denied).toMatchObject({ ok: false, kind: 'unauthorized' });
  expect(!denied.ok && denied.reason).toMatch(/^DHL refused our credentials: DHL 401/);
  const gw = sim.gateway();
  await sim.stop();
  expect(await gw.findShipment('ord_any0000000000000')).toMatchObject({ ok: false, kind: 'unavailable' });
});

test('GET /tracking validates as MyDHL does: a reference search needs the shipper account and a date range', async () => {
  const sim = await startSimulator(db());
  const track = async (query: string, init: RequestInit = { headers: basicAuth }) => {
    const res = await fetch(`${sim.url}/sim/dhl/mydhlapi/tracking${query}`, init);
    return { status: res.status, body: (await res.json()) as { status?: string; title?: string; additionalDetails?: string[]; shipments?: { shipmentTrackingNumber: string; shipperReferences: { value: string; typeCode: string }[]; events: { typeCode: string }[] }[] } };
  };
  expect((await track('', {})).status).toBe(401);
  const none = await track('');
  expect(none).toMatchObject({ status: 400, body: { status: '400' } });
  expect(none.body.additionalDetails!.join('\n')).toMatch(/shipmentTrackingNumber or shipmentReference/);
  const bare = await track('?shipmentReference=ord_x');
  expect(bare.status).toBe(400);
  for (const p of ['shipperAccountNumber', 'dateRangeFrom', 'dateRangeTo']) expect(bare.body.additionalDetails!.join('\n')).toContain(p);
  const range = (from: string, to: string) => `&shipperAccountNumber=123456789&dateRangeFrom=${from}&dateRangeTo=${to}`;
  expect((await track(`?shipmentReference=ord_x${range('2026-02-30', today())}`)).status).toBe(400);
  expect((await track(`?shipmentReference=ord_x${range(today(), '2020-01-01')}`)).status).toBe(400);
  expect((await track(`?shipmentReference=ord_x${range(today(), today())}&trackingView=everything`)).status).toBe(400);
  expect((await track('?shipmentTrackingNumber=12')).status).toBe(400);
  expect((await fetch(`${sim.url}/sim/dhl/mydhlapi/tracking`, { method: 'POST', headers: basicAuth })).status).toBe(405);

  const req = shipment();
  const r = await sim.gateway().createShipment(req);
  if (!r.ok) throw new Error(r.reason);
  // Outside the date range, under another type, or for a prefix only: "No data found".
  expect(await track(`?shipmentReference=${req.reference}${range('2020-01-01', '2020-01-31')}`)).toMatchObject({ status: 404, body: { status: '404', title: 'No data found' } });
  expect((await track(`?shipmentReference=${req.reference}&shipmentReferenceType=AAO${range(today(), today())}`)).status).toBe(404);
  expect((await track(`?shipmentReference=${req.reference.slice(0, -1)}${range(today(), today())}`)).status).toBe(404);
  const found = await track(`?shipmentReference=${req.reference}&shipmentReferenceType=CU${range(today(), today())}&trackingView=shipment-details-only`);
  expect(found.status).toBe(200);
  expect(found.body.shipments!.map((s) => [s.shipmentTrackingNumber, s.shipperReferences, s.events])).toEqual([[r.trackingNumber, [{ value: req.orderId, typeCode: 'CU' }], []]]);
  const last = await track(`?shipmentTrackingNumber=${r.trackingNumber}&trackingView=last-checkpoint`);
  expect(last.body.shipments!.map((s) => s.events.map((e) => e.typeCode))).toEqual([['PU']]);
});

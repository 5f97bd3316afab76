// The MyDHL simulator driven through the real DhlCarrierGateway over HTTP: shipment creation and
// its failure modes, idempotency on Message-Reference, and signed, ordered, retried, restart-proof
// tracking pushes.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DhlCarrierGateway, carrierTrackingEventSchema, publicTrackingUrl, verifyCarrierWebhook } from '../../adapters/carrier/dhl-carrier-gateway';
import type { ShipmentRequest } from '../../application/ports';
import { money } from '../../domain/money';
import { CarrierSimulator } from '../../runtime/simulators/carrier/carrier-simulator';
import type { CarrierSimulatorOptions } from '../../runtime/simulators/carrier/carrier-simulator';
import { tempDir } from '../support/host-process';

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
  const gateway = (overrides: { apiKey?: string } = {}) =>
    new DhlCarrierGateway({
      baseUrl: `${server.url}/sim/dhl/mydhlapi`,
      apiKey: overrides.apiKey ?? apiKey,
      apiSecret,
      accountNumber: '123456789',
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
}

/** Our webhook endpoint stand-in; answers 500 to the first `failFirst` requests. */
async function startReceiver(failFirst = 0) {
  const received: Received[] = [];
  let requests = 0;
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), signature: (req.headers['x-dhl-signature'] as string | undefined) ?? null });
      res.writeHead(requests <= failFirst ? 500 : 200).end();
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

function parsePushes(received: Received[]) {
  return received.map((r) => {
    expect(verifyCarrierWebhook(r.raw, r.signature, webhookSecret)).toBe(true);
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

test('a signature from another secret or over another body does not verify', () => {
  const raw = JSON.stringify({ a: 1 });
  const sig = 'sha256=' + createHmac('sha256', webhookSecret).update(raw).digest('hex');
  expect(verifyCarrierWebhook(raw, sig, webhookSecret)).toBe(true);
  expect(verifyCarrierWebhook(raw, sig, 'other-secret')).toBe(false);
  expect(verifyCarrierWebhook(raw + ' ', sig, webhookSecret)).toBe(false);
  expect(verifyCarrierWebhook(raw, null, webhookSecret)).toBe(false);
  expect(verifyCarrierWebhook(raw, sig.slice(0, -2), webhookSecret)).toBe(false);
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

// The order console in a real browser, on a stand-in of its own: a support person lists orders,
// watches one ship, approves, cancels and refunds by clicking, opens the invoice PDF and follows
// the email's "View order" link; plus what the console refuses (other sites' forms, foreign host
// names, callers off this machine) and its 404 page.
import http from 'node:http';
import path from 'node:path';
import { startHost, waitFor } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import type { Page } from 'playwright-core';
import { isLocalCaller, isLocalHost, isLoopbackAddress, isSameOriginPost } from '../../local/console/guard';
import { browserSuite } from 'azure-standin/browser-testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
const root = '/console';

beforeAll(async () => {
  host = await startHost({
    appRoot,
    logLevel: 'warning',
    // Fast carrier (delivered ~1.5 s after shipping); approval orders wait long enough to be clicked.
    env: { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', API_RATE_LIMIT_PER_SECOND: '0', PAYMENT_APPROVAL_TIMEOUT_SECONDS: '600' },
  });
}, 90_000);
afterAll(() => host?.stop(), 30_000);
jest.setTimeout(120_000);

const c = sagaClient(() => host);
const { page: newPage } = browserSuite();
const orderUrl = (id: string) => `${host.url}${root}/orders/${id}`;

/** The page's flash message, after a form's post-redirect-get. */
const flash = (p: Page) => p.locator('.flash').innerText();

/** Reloads until the selector is on the page (the console renders on the server; no script updates it). */
async function reloadUntil(p: Page, selector: string, what: string): Promise<void> {
  await waitFor(async () => {
    if ((await p.locator(selector).count()) > 0) return true;
    await new Promise((r) => setTimeout(r, 500));
    await p.reload();
    return undefined;
  }, what, 60_000);
}

describe('in the browser', () => {
  test('orders: a vaulted order seen shipping and delivered, refunded by clicking; its invoice PDF and the email link to the page', async () => {
    const p = await newPage();
    await p.goto(`${host.url}${root}`);
    await p.locator('a[href$="/console/orders"]').first().click();
    await p.locator('h1', { hasText: 'Orders' }).waitFor();

    const placed = await c.place({ vaultId: 'vault-ok' });
    const id = placed.order.id;
    await reloadUntil(p, `a[href$="/orders/${id}"]`, `${id} in the list`);
    await p.locator(`a[href$="/orders/${id}"]`).click();
    expect(p.url()).toBe(orderUrl(id));
    await p.locator('#refresh-on').click();
    // The page reloads itself every few seconds: the timeline grows until the parcel is delivered.
    await p.waitForSelector('#timeline li[data-status="shipped"]', { timeout: 60_000 });
    await p.waitForSelector('#timeline li[data-status="delivered"]', { timeout: 60_000 });
    await p.locator('#refresh-off').click();
    expect(await p.locator('#lines [data-total="Total"]').innerText()).toContain('EUR');
    expect(await p.locator('#shipment').innerText()).toMatch(/DHL Express[\s\S]*SHIPPED/);
    expect(await p.locator('#instance-link').getAttribute('href')).toBe(`/console/instances/${id}`);
    expect(await p.locator('#telemetry-link').getAttribute('href')).toBe(`/console/telemetry?q=${id}`);

    // The invoice, through the console (the API wants a token a link cannot carry).
    const invoiceHref = await p.locator('#documents a[data-kind="invoice"]').getAttribute('href');
    const pdf = await p.request.get(`${host.url}${invoiceHref!}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // Refund one unit of the first line by clicking.
    const sku = placed.order.items[0].sku;
    await p.locator(`input[name="qty:${sku}"]`).fill('1');
    await p.locator('#refund-form input[name="reason"]').fill('Arrived broken');
    await p.locator('#refund').click();
    expect(await flash(p)).toMatch(/^Refund rf_\S+ requested/);
    await reloadUntil(p, '#refunds [data-status="completed"]', 'the refund to complete');
    const after = await c.get(placed.customer, id);
    expect(after.refunds).toEqual([expect.objectContaining({ status: 'completed', reason: 'Arrived broken', items: [expect.objectContaining({ sku, quantity: 1 })] })]);
    await reloadUntil(p, '#documents a[data-kind="credit-note"]', 'the refund\'s credit note');

    // The shipped email links to this page and to the simulator's tracking page.
    const mails = await c.mailbox(placed.email, 5);
    const shipped = mails.find((m) => m.subject.includes('has shipped'))!;
    expect(shipped.html).toContain(`href="${orderUrl(id)}"`);
    expect(shipped.html).toMatch(new RegExp(`href="${host.url}/sim/dhl/track\\?trackingNumber=${after.shipment!.trackingNumber}"`));
    // Followed from the console's view of the email: the link opens the order page.
    await p.goto(orderUrl(id));
    await p.locator('#emails a', { hasText: 'has shipped' }).click();
    await p.frameLocator('iframe').locator('a', { hasText: `View order ${id}` }).click();
    await p.waitForURL(orderUrl(id));
    await p.locator('#timeline').waitFor();
    // The tracking page shows the delivery.
    await p.goto(after.shipment!.trackingUrl);
    expect(await p.locator('#status').innerText()).toBe('delivered');

    // The simulators' pages list this order's PayPal order and shipment.
    await p.goto(`${host.url}${root}/paypal`);
    expect(await p.locator(`#paypal-orders tr[id="${after.payment.paypalOrderId!}"]`).innerText()).toContain(id);
    await p.goto(`${host.url}${root}/shipments`);
    expect(await p.locator(`#shipments tr[id="${after.shipment!.trackingNumber}"]`).innerText()).toMatch(/Delivered/);
  });

  test('an approval order approved by clicking, another cancelled by clicking', async () => {
    const p = await newPage();
    const toApprove = await c.place({});
    const toCancel = await c.place({});
    await c.until(toApprove.customer, toApprove.order.id, ['awaiting-payment']);
    await c.until(toCancel.customer, toCancel.order.id, ['awaiting-payment']);

    await p.goto(orderUrl(toApprove.order.id));
    await p.locator('#approve').click();
    expect(await flash(p)).toContain('Approved at PayPal');
    await c.until(toApprove.customer, toApprove.order.id, ['shipped', 'delivered']);
    await reloadUntil(p, '#timeline li[data-status="shipped"]', 'the approved order to ship');

    await p.goto(orderUrl(toCancel.order.id));
    await p.locator('#cancel').click();
    expect(await flash(p)).toContain('Cancelled: the order is cancelled');
    expect((await c.get(toCancel.customer, toCancel.order.id)).status).toBe('cancelled');
    expect(await p.locator('#cancel').count()).toBe(0); // no longer offered
  });
});

describe('over HTTP', () => {
  const request = (o: { path: string; method?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string; location?: string }> =>
    new Promise((resolve, reject) => {
      const u = new URL(host.url);
      const req = http.request({ host: u.hostname, port: u.port, path: o.path, method: o.method ?? 'GET', headers: o.headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
      });
      req.on('error', reject);
      req.end(o.method === 'POST' ? 'reason=x' : undefined);
    });

  test('an unknown order is a 404 page', async () => {
    const r = await request({ path: `${root}/orders/ord_AAAAAAAAAAAAAAAA` });
    expect(r.status).toBe(404);
    expect(r.body).toContain('Order not found');
  });

  test('forms from another site and foreign host names are refused', async () => {
    const post = { path: `${root}/orders/ord_AAAAAAAAAAAAAAAA/cancel`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect((await request({ ...post, headers: { ...post.headers, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await request({ ...post, headers: { ...post.headers, 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    // The console's own form: redirected back with the API's answer.
    const own = await request({ ...post, headers: { ...post.headers, origin: host.url } });
    expect(own.status).toBe(303);
    expect(own.location).toMatch(new RegExp(`^${root}/orders/ord_AAAAAAAAAAAAAAAA\\?flash=`));
    expect((await request({ path: `${root}/orders`, headers: { host: 'rebound.example:80' } })).status).toBe(403);
  });

  test('only callers on this machine (the predicate the console applies to each socket)', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('192.168.1.20')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
    expect(isLocalCaller({ remoteAddress: '192.168.1.20', localAddress: '192.168.1.20' })).toBe(true);
    expect(isLocalCaller({ remoteAddress: '192.168.1.21', localAddress: '192.168.1.20' })).toBe(false);
    expect(isLocalHost('localhost:7071', 'http://127.0.0.1:7071')).toBe(true);
    expect(isLocalHost('[::1]:7071', 'http://127.0.0.1:7071')).toBe(true);
    expect(isLocalHost('192.0.2.2:7071', 'http://192.0.2.2:7071')).toBe(true);
    expect(isLocalHost('attacker.example', 'http://127.0.0.1:7071')).toBe(false);
    expect(isSameOriginPost({ host: '127.0.0.1:7071', origin: 'http://127.0.0.1:7071' })).toBe(true);
    expect(isSameOriginPost({ host: '127.0.0.1:7071', origin: 'null' })).toBe(false);
  });
});

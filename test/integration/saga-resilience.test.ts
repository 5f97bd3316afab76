// The saga under failure: declined captures, PayPal down, a flaky carrier, duplicate webhooks,
// redelivered and poison bus messages, and a crash (SIGKILL) in the middle of many sagas.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { signCarrierWebhook } from '../../adapters/carrier/dhl-carrier-gateway';
import { completed, HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
// Refunds PayPal refuses are retried from 1 s for 3 s: two attempts, then left to an operator.
// The carrier webhook secret is being rotated: pushes signed with the previous one still count.
const previousWebhookSecret = 'previous-carrier-webhook-secret-0123456789';
const env = {
  SIM_CARRIER_TRANSIT_MS: '300',
  SIM_CARRIER_DELIVERED_MS: '1500',
  PAYMENT_APPROVAL_TIMEOUT_SECONDS: '60',
  API_RATE_LIMIT_PER_SECOND: '0',
  SAGA_RETRY_DELAY_SECONDS: '1',
  REFUND_RETRY_WINDOW_SECONDS: '3',
  CARRIER_WEBHOOK_SECRET_PREVIOUS: previousWebhookSecret,
};
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env });
}, 60_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(120_000);
const c = sagaClient(() => host);
const captures = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.captures);

test('capture declined after a good authorization: payment-failed and the authorization is voided', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-declined' });
  await c.until(customer, order.id, ['payment-failed']);
  // The failure is recorded first (so a concurrent cancel is seen), then compensated: the saga's end is when the void is done.
  expect(await completed(host, order.id)).toMatchObject({ output: { outcome: 'payment-failed' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp).filter((x) => x.status === 'COMPLETED')).toHaveLength(0);
  expect(pp.flatMap((o) => o.authorizations).map((a) => a.status)).toEqual(['VOIDED']);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
});

test('PayPal down: retried with backoff, then payment-failed cleanly with nothing charged', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-down' });
  const failed = await c.until(customer, order.id, ['payment-failed'], 100_000);
  expect(failed.cancellationReason).toMatch(/PayPal|payment/i);
  expect(captures(await c.paypal(order.id))).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
});

test('a carrier 500 is retried with the same Message-Reference: one shipment', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-FLAKY Weg 1' });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  const shipments = await c.dev<{ shipments?: unknown[]; items?: unknown[] } | unknown[]>(`/dev/shipments?reference=${order.id}`);
  const list = Array.isArray(shipments) ? shipments : (shipments.shipments ?? shipments.items ?? []);
  expect(list).toHaveLength(1);
});

test('duplicate carrier webhooks deliver the order once, with one delivered email', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', line1: 'NO-DELIVERY Allee 2' });
  const shipped = await c.until(customer, order.id, ['shipped']);
  const secret = (JSON.parse(fs.readFileSync(path.join(host.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>)['carrier-webhook-secret'];
  const body = JSON.stringify({ shipmentTrackingNumber: shipped.shipment!.trackingNumber, reference: order.id, event: { typeCode: 'OK', description: 'Delivered', timestamp: new Date().toISOString() }, status: 'delivered' });
  const post = (headers: Record<string, string>) => fetch(`${host.api}/v1/webhooks/carrier`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  expect((await post({ 'x-dhl-timestamp': String(Math.floor(Date.now() / 1000)), 'x-dhl-signature': 'sha256=00' })).status).toBe(401);
  // Correctly signed, but ten minutes ago: a replay, refused.
  expect((await post(signCarrierWebhook(body, secret, Date.now() - 600_000))).status).toBe(401);
  const results = await Promise.all([post(signCarrierWebhook(body, secret, Date.now())), post(signCarrierWebhook(body, secret, Date.now())), post(signCarrierWebhook(body, secret, Date.now()))]);
  expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
  await c.until(customer, order.id, ['delivered']);
  const stages = c.stages(await c.mailbox(email, 5), order.id);
  expect(stages.filter((s) => s === 'delivered')).toHaveLength(1);
});

test('carrier webhook secret rotation: pushes signed with the current or the previous secret are accepted, others refused', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', line1: 'NO-DELIVERY Allee 3' });
  const shipped = await c.until(customer, order.id, ['shipped']);
  const current = (JSON.parse(fs.readFileSync(path.join(host.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>)['carrier-webhook-secret'];
  const event = (typeCode: string) => JSON.stringify({ shipmentTrackingNumber: shipped.shipment!.trackingNumber, reference: order.id, event: { typeCode, description: typeCode, timestamp: new Date().toISOString() }, status: typeCode === 'OK' ? 'delivered' : 'in-transit' });
  const post = (body: string, secret: string) =>
    fetch(`${host.api}/v1/webhooks/carrier`, { method: 'POST', headers: { 'content-type': 'application/json', ...signCarrierWebhook(body, secret, Date.now()) }, body });
  expect((await post(event('PL'), 'a-secret-nobody-configured-0123')).status).toBe(401);
  expect((await post(event('PL'), current)).status).toBe(200);
  // The sender still signs with the old secret: the delivery is not lost.
  expect((await post(event('OK'), previousWebhookSecret)).status).toBe(200);
  await c.until(customer, order.id, ['delivered']);
});

test('a refund PayPal keeps refusing: the order is refund-pending, the saga completes (not Failed), and an operator replays it', async () => {
  // The carrier refuses after capture; PayPal refuses the first three refund attempts: the
  // saga's two (the first, then one after 1 s), and the replay's first.
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-declined-3', postalCode: '99999' });
  expect(await completed(host, order.id, 60_000)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'refund-pending' } });
  const pending = await c.get(customer, order.id);
  expect(pending.status).toBe('refund-pending');
  expect(pending.payment).toMatchObject({ refunded: null, refundFailure: { attempts: 2, retrying: false, reason: expect.stringContaining('REFUND_FAILED_INSUFFICIENT_FUNDS') } });
  expect(pending.cancellationReason).toContain('We could not ship your order');
  let pp = await c.paypal(order.id);
  expect(captures(pp).map((x) => x.status)).toEqual(['COMPLETED']);
  expect(pp.flatMap((o) => o.refunds)).toHaveLength(0);
  expect(host.output()).toContain(`REFUND NEEDS AN OPERATOR: order ${order.id}`);
  // Listed for operators by status.
  const admin = await c.token('support-1', ['Orders.Admin']);
  const listed = (await (await fetch(`${host.api}/v1/orders?status=refund-pending&limit=100`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { items: { id: string }[] };
  expect(listed.items.map((i) => i.id)).toContain(order.id);
  // No refunded email while the money is still owed, but the customer knows it is owed.
  const owed = await c.mailbox(email, 4);
  expect(c.stages(owed, order.id)).toEqual(['received', 'invoiced', 'paid', 'cancelled']);
  expect(owed[3].text).toContain('we owe you a refund');

  // The operator fixes the cause (here: the third refusal was the last) and replays the refund.
  await c.startOrchestrator('retryRefund', `${order.id}:refund-retry-1`, { orderId: order.id, customerId: customer });
  expect(await completed(host, `${order.id}:refund-retry-1`, 30_000)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'refunded' } });
  const refunded = await c.get(customer, order.id);
  expect(refunded).toMatchObject({ status: 'refunded', payment: { refunded: order.totals.total, refundFailure: null } });
  pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.refunds).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(c.stages(await c.mailbox(email, 5), order.id)).toEqual(['received', 'invoiced', 'paid', 'cancelled', 'refunded']);
  // Replaying again finds nothing owed and moves no money.
  await c.startOrchestrator('retryRefund', `${order.id}:refund-retry-2`, { orderId: order.id, customerId: customer });
  expect(await completed(host, `${order.id}:refund-retry-2`)).toMatchObject({ output: { outcome: 'nothing-to-refund', status: 'refunded' } });
  expect((await c.paypal(order.id)).flatMap((o) => o.refunds)).toHaveLength(1);
});

test('a stage event published again (new messageId) sends no second email; a poison message is dead-lettered with its reason', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok' });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  await c.mailbox(email, 4);
  const bus = new ServiceBusClient(host.serviceBus);
  try {
    const sender = bus.createSender('order-events');
    const replay = { orderId: order.id, stage: 'paid', occurredAt: new Date().toISOString(), customer: { id: customer, email, name: 'Grace Hopper' }, total: { amount: order.totals.total, currency: 'EUR' }, lines: [] };
    await sender.sendMessages([{ messageId: randomUUID(), body: replay }, { messageId: `${order.id}:paid`, body: replay }]);
    await sender.sendMessages({ messageId: randomUUID(), body: { hello: 'not an event' } });
    const receiver = bus.createReceiver('order-events', 'email', { subQueueType: 'deadLetter' });
    const dead = await waitFor(async () => {
      const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
      if (m) await receiver.completeMessage(m);
      return m;
    }, 'the poison message in the dead-letter queue', 60_000);
    expect(dead.body).toEqual({ hello: 'not an event' });
    expect(dead.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    // Service Bus' own description; the function's reason for each failed delivery is in the log.
    expect(dead.deadLetterErrorDescription).toBe('Message could not be consumed after 10 delivery attempts.');
    expect(host.output()).toContain('not an order stage event');
    await receiver.close();
    await sender.close();
  } finally {
    await bus.close();
  }
  const stages = c.stages(await c.emails(email), order.id);
  expect(stages.filter((s) => s === 'paid')).toHaveLength(1);
});

test('SIGKILL in the middle of 20 sagas: after a restart every order ships with one capture and one email per stage', async () => {
  const placed = await Promise.all(Array.from({ length: 20 }, () => c.place({ vaultId: 'vault-ok' })));
  await new Promise((r) => setTimeout(r, 400));
  await host.kill();
  host = await startHost({ appRoot, dataDir: host.dataDir, logLevel: 'warning', env });
  const invoiceNumbers: string[] = [];
  for (const p of placed) {
    const o = await c.until(p.customer, p.order.id, ['shipped', 'delivered'], 100_000);
    invoiceNumbers.push(o.invoice!.number);
    expect(captures(await c.paypal(p.order.id))).toHaveLength(1);
  }
  for (const p of placed) {
    const stages = c.stages(await c.mailbox(p.email, 4), p.order.id);
    for (const st of ['received', 'invoiced', 'paid', 'shipped']) expect(stages.filter((s) => s === st)).toHaveLength(1);
  }
  // Gapless: the 20 invoices took 20 distinct numbers.
  expect(new Set(invoiceNumbers).size).toBe(20);
});

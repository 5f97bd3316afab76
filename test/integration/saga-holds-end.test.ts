// Holds that end otherwise, and lost answers: an authorization held past its expiry is never
// captured; a cancel during a hold voids; a compensation refund PayPal holds counts only once paid
// out; a shipment booked by an attempt whose answer was lost is not booked again.
import { waitFor } from 'azure-standin/testing';
import { holdsSuite } from '../support/holds-suite';

const { c } = holdsSuite();

test('an authorization held past its expiry is never captured: payment-expired, the customer is told, nothing is charged', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-40' });
  const expired = await c.until(customer, order.id, ['payment-expired'], 80_000);
  expect(expired.cancellationReason).toContain('authorization expired');
  // Compensation follows the status: the invoice is reversed.
  await waitFor(async () => ((await c.get(customer, order.id)).creditNote ? true : undefined), 'the credit note');
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.captures)).toEqual([]);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'payment-delayed', 'payment-expired']);
});

test('a cancel while the payment is on hold voids the authorization and captures nothing', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-100' });
  await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  const done = await c.until(customer, order.id, ['cancelled']);
  expect(done.payment.captureId).toBeNull();
  // The cancel is recorded at once; the saga's compensation voids right after. Voiding the
  // original releases a reauthorization too.
  const pp = await waitFor(async () => {
    const orders = await c.paypal(order.id);
    const statuses = orders.flatMap((o) => o.authorizations).map((a) => a.status);
    return statuses.length > 0 && statuses.every((s) => s === 'VOIDED') ? orders : undefined;
  }, 'the authorization to be voided');
  expect(pp.flatMap((o) => o.captures)).toEqual([]);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'payment-delayed', 'cancelled']);
});

test('a compensation refund PayPal holds and then fails is not counted as refunded: the order stays refund-pending', async () => {
  // The carrier refuses the shipment after capture; PayPal accepts each refund as PENDING, then fails it.
  const { customer, order } = await c.place({ vaultId: 'vault-refund-pending-failed', postalCode: '99999' });
  const pending = await c.until(customer, order.id, ['refund-pending', 'refunded'], 60_000);
  expect(pending.status).toBe('refund-pending');
  expect(pending.payment.refunded).toBeNull();
  expect(pending.payment.refundFailure).toMatchObject({ reason: expect.stringContaining('could not pay out') });
});

test('a compensation refund PayPal holds and then pays out counts once paid: refunded, with the refunded email', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-pending', postalCode: '99999' });
  const refunded = await c.until(customer, order.id, ['refunded'], 60_000);
  expect(refunded.payment.refunded).toBe(order.totals.total);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'paid', 'refunded']);
});

test('a booking whose answer was lost is found by its reference, not booked again: one shipment', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-LOST-1 Weg 9' });
  await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  const shipments = await c.dev<{ shipments?: unknown[]; items?: unknown[] } | unknown[]>(`/dev/shipments?reference=${order.id}`);
  const list = Array.isArray(shipments) ? shipments : (shipments.shipments ?? shipments.items ?? []);
  expect(list).toHaveLength(1);
});

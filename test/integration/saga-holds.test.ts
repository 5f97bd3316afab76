// PayPal refusing our credentials holds the payment step instead of failing the buyer's payment;
// an authorization aging in the hold is reauthorized after PayPal's honour period.
import { holdsSuite } from '../support/holds-suite';

const { c, completedCaptures, host } = holdsSuite();

test('PayPal refuses our credentials at capture: the order is held, not failed; past the honour period it is reauthorized, captured once and shipped', async () => {
  // The first 7 capture calls get 401/403: the retry policy's 5, the report, one on the hold's timer.
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-7' });
  const held = await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  expect(held.payment.captureId).toBeNull();
  const shipped = await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  expect(shipped.timeline.map((t) => t.status)).toEqual(expect.arrayContaining(['authorized', 'payment-on-hold', 'paid', 'shipped']));
  const pp = await c.paypal(order.id);
  // The hold outlasted the honour period: the capture took a reauthorization, made once.
  expect(pp.flatMap((o) => o.authorizations)).toHaveLength(2);
  expect(completedCaptures(pp)).toHaveLength(1);
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'payment-delayed', 'paid', 'shipped']);
  expect(host().output()).toContain(`order ${order.id} is on hold: PayPal refused our credentials at capturePayment`);
});

test('PayPal refuses our credentials at authorize: held, then authorized, captured once and shipped', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-authorize-unauthorized-7' });
  await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.authorizations)).toHaveLength(1);
  expect(completedCaptures(pp)).toHaveLength(1);
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'payment-delayed', 'paid', 'shipped']);
});

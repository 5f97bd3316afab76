// The dispute orchestration's activities: thin bindings of the use cases in application/ to the
// adapters. Each is idempotent (records once, re-reads PayPal before acting).
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { acceptClaim, decideDispute, recordDisputeRefund, sendTrackingMessage, settleOnOrder, stopShipment } from '../application/dispute-answers';
import { alertMerchant } from '../application/dispute-alerts';
import { buildEvidencePack, submitEvidence } from '../application/dispute-evidence';
import { updateDispute } from '../application/dispute-records';
import { cancelOrder } from '../application/cancel-order';
import { issueDocument } from '../application/saga-steps';
import { syncDispute } from '../application/sync-dispute';
import { registerActivity } from './saga/activity-contract';
import { disputeActivities as a } from './saga/dispute-activities';
import { DurableOrderWorkflow } from './wiring/durable-workflow';
import { disputeUseCaseDeps, getDisputeServices } from './wiring/dispute-services';
import { getSagaServices } from './wiring/saga-services';
import { getServices } from './wiring/services';
import { settings } from './wiring/settings';
import { renderInvoicePdf } from '../adapters/invoice/invoice-pdf';

const deps = disputeUseCaseDeps;

registerActivity(a.syncDispute, (input) => syncDispute(deps(), input));
registerActivity(a.decideDispute, (input) => decideDispute(deps(), input));
registerActivity(a.buildEvidencePack, (input) => buildEvidencePack(deps(), input));
registerActivity(a.submitEvidence, (input) => submitEvidence(deps(), input));
registerActivity(a.stopShipment, (input) => stopShipment(deps(), input));
registerActivity(a.acceptClaim, (input) => acceptClaim(deps(), input));
registerActivity(a.sendTrackingMessage, (input) => sendTrackingMessage(deps(), input));
registerActivity(a.settleDispute, (input) => settleOnOrder(deps(), input));
registerActivity(a.alertMerchant, (input) => {
  const d = getDisputeServices();
  const base = settings().PUBLIC_BASE_URL.replace(/\/+$/, '');
  return alertMerchant({ disputes: d.disputes, email: getSagaServices().email, merchant: d.merchant, disputeUrl: (id) => `${base}/api/v1/disputes/${encodeURIComponent(id)}` }, input);
});

/** The credit note of a dispute the buyer won: the whole invoice reversed, recorded on the order and the dispute. */
registerActivity(a.creditDispute, async (input) => {
  const x = deps();
  const current = await x.disputes.get(input.disputeId);
  const d = current?.value;
  if (!d?.orderId || !d.customerId) throw new Error(`dispute ${input.disputeId} has no order`);
  const order = await x.orders.get(d.orderId, d.customerId);
  if (!order?.value.invoice) throw new Error(`order ${d.orderId} has no invoice to credit`);
  const saga = getSagaServices();
  const note = d.creditNote ?? await issueDocument({ orders: x.orders, invoices: saga.invoices, documents: saga.documents, seller: saga.seller, renderPdf: renderInvoicePdf }, { orderId: d.orderId, customerId: d.customerId, number: input.number, kind: 'credit-note', corrects: order.value.invoice.number, at: input.at });
  await updateDispute(x.disputes, input.disputeId, (y) => (y.creditNote ? undefined : { ...y, creditNote: note }));
  await recordDisputeRefund(x.orders, { orderId: d.orderId, customerId: d.customerId, amount: d.outcome?.amountRefunded ?? d.amount, creditNote: note, at: input.at });
});

// Cancelling needs the Durable client (the order's saga hears of it), so this one binds it.
df.app.activity(a.cancelDisputedOrder.name, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: { disputeId: string; orderId: string; customerId: string; at: string }, context: InvocationContext) => {
    const client = df.getClient(context);
    const orders = getServices().orders;
    const r = await cancelOrder(
      { orders, workflow: new DurableOrderWorkflow(client, settings().PAYMENT_APPROVAL_TIMEOUT_SECONDS) },
      { load: () => orders.get(input.orderId, input.customerId), reason: `PayPal dispute ${input.disputeId}: the claim was accepted before the order shipped.`, at: input.at },
    );
    return r.kind === 'cancelled' ? { cancelled: true, status: 'cancelled' } : { cancelled: false, status: r.kind === 'not-cancellable' ? r.status : r.kind };
  },
});

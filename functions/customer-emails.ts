// Emails the customer for each stage event on the `order-events` topic. Exactly one email per
// order and stage: the topic drops duplicate messageIds, and the email's ACS operation id is the
// same `<orderId>:<stage>`, so a redelivered message finds the first send instead of a new one.
// Transient failures throw (the message is redelivered); after maxDeliveryCount the message goes
// to the dead-letter queue with the last error as its description.
import { app } from '@azure/functions';
import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { emailStages, stageEventId } from '../domain/order-events';
import type { OrderStageEvent } from '../domain/order-events';
import { renderStageEmail } from '../adapters/email/stage-email';
import { orderEventsTopic } from '../adapters/servicebus/stage-event-publisher';
import { getSagaServices } from './wiring/saga-services';
import { getServices } from './wiring/services';
import { fillUrlTemplate, settings } from './wiring/settings';
import { orderLog } from '../adapters/telemetry/order-telemetry';

const money = z.strictObject({ amount: z.number().int(), currency: z.string().length(3) });
const stageEventSchema = z.object({
  orderId: z.string().min(1),
  stage: z.enum(emailStages),
  occurredAt: z.string(),
  placedAt: z.string().optional(),
  customer: z.object({ id: z.string(), email: z.email(), name: z.string() }),
  total: money,
  lines: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.number().int(), lineTotal: money })),
  invoiceNumber: z.string().optional(),
  approveUrl: z.string().optional(),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  trackingUrl: z.string().optional(),
  refunded: money.optional(),
  refundPending: money.optional(),
  reason: z.string().optional(),
  refundId: z.string().optional(),
  totals: z.object({ subtotal: money, discount: money, shipping: money, tax: money, total: money }).optional(),
});

app.serviceBusTopic('sendStageEmail', {
  topicName: orderEventsTopic,
  subscriptionName: 'email',
  connection: 'ServiceBusConnection',
  handler: async (message: unknown, context: InvocationContext): Promise<void> => {
    const parsed = stageEventSchema.safeParse(message);
    if (!parsed.success) {
      // Poison: no retry can fix it; it reaches the dead-letter queue after maxDeliveryCount.
      throw new Error(`not an order stage event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const event = parsed.data as OrderStageEvent;
    const s = getSagaServices();
    const template = settings().STOREFRONT_ORDER_URL;
    const orderUrl = template ? fillUrlTemplate(template, '{orderId}', event.orderId) : `${s.publicBaseUrl}/api/v1/orders/${encodeURIComponent(event.orderId)}`;
    // The event carries the priced totals (discount, shipping, VAT); only an event published before
    // it did needs the order, as priced, which never changes after it was placed.
    const totals = event.totals ?? (await getServices().orders.get(event.orderId, event.customer.id))?.value.quote.totals;
    const rendered = renderStageEmail(event, { orderUrl, ...(totals ? { totals } : {}) });
    const result = await s.email.send({ operationId: stageEventId(event), to: { address: event.customer.email, displayName: event.customer.name }, ...rendered });
    if (result.ok) {
      // The ledger is what a dispute answer cites; should this write fail, the redelivery finds the
      // email sent (same operation id) and records it then.
      await getServices().ledger.record({ kind: 'email-sent', orderId: event.orderId, at: new Date().toISOString(), stage: event.stage, subject: rendered.subject, to: event.customer.email, messageId: result.messageId, ...(event.refundId ? { refundId: event.refundId } : {}) });
      orderLog.info(`email ${event.stage} sent`, { orderId: event.orderId, stage: event.stage, messageId: result.messageId, deliveryCount: context.triggerMetadata?.deliveryCount as number | undefined });
      return;
    }
    if (result.retryable) throw new Error(`email ${event.stage} for ${event.orderId} not sent yet: ${result.reason}`);
    // Final (e.g. the address bounces): retrying cannot help; the order itself is unaffected.
    orderLog.warn(`email ${event.stage} undeliverable`, { orderId: event.orderId, stage: event.stage, reason: result.reason });
  },
});

// The app's business telemetry through the OpenTelemetry API: structured logs that carry the
// order id (Application Insights `traces`, customDimensions.orderId, in the current operation)
// and the order metrics (`customMetrics`). Without a started SDK these calls do nothing.
import { metrics } from '@opentelemetry/api';
import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import type { OrderStageEvent } from '../../domain/order-events';
import type { StageEventPublisher } from '../../application/ports';

const scope = 'order-backend';

export type LogFields = { orderId?: string } & Record<string, string | number | boolean | undefined>;

function emit(severityNumber: SeverityNumber, severityText: string, message: string, fields: LogFields): void {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) attributes[k] = v;
  logs.getLogger(scope).emit({ severityNumber, severityText, body: message, attributes });
}

export const orderLog = {
  info: (message: string, fields: LogFields) => emit(SeverityNumber.INFO, 'INFO', message, fields),
  warn: (message: string, fields: LogFields) => emit(SeverityNumber.WARN, 'WARN', message, fields),
  error: (message: string, fields: LogFields) => emit(SeverityNumber.ERROR, 'ERROR', message, fields),
};

interface Instruments {
  provider: MeterProvider;
  ordersCreated: Counter;
  paymentFailures: Counter;
  timeToShip: Histogram;
}
let instruments: Instruments | undefined;

/** Instruments of the current global provider (one created before the SDK started would be no-ops). */
function meter(): Instruments {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  const m = provider.getMeter(scope);
  return (instruments = {
    provider,
    ordersCreated: m.createCounter('orders.created', { description: 'Orders accepted by POST /v1/orders (replays excluded)', unit: '{order}' }),
    paymentFailures: m.createCounter('orders.payment_failures', { description: 'Orders that ended payment-failed: declined, not approved in time, or PayPal unavailable', unit: '{order}' }),
    timeToShip: m.createHistogram('orders.time_to_ship', { description: 'From the order being placed to the carrier accepting the shipment', unit: 's' }),
  });
}

export function recordOrderCreated(o: { orderId: string; customerId: string; total: { amount: number; currency: string } }): void {
  meter().ordersCreated.add(1, { currency: o.total.currency });
  orderLog.info('order placed', { orderId: o.orderId, customerId: o.customerId, amount: o.total.amount, currency: o.total.currency });
}

/** What each stage event says about the business: one log line, and the metrics it completes. */
export function recordStage(e: OrderStageEvent): void {
  const { orderId, stage } = e;
  const fields: LogFields = { orderId, stage, invoiceNumber: e.invoiceNumber, trackingNumber: e.trackingNumber, carrier: e.carrier, reason: e.reason };
  if (stage === 'payment-failed') {
    meter().paymentFailures.add(1, { currency: e.total.currency });
    orderLog.warn(`order ${stage}`, fields);
    return;
  }
  if (stage === 'shipped' && e.placedAt) {
    const seconds = (Date.parse(e.occurredAt) - Date.parse(e.placedAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) meter().timeToShip.record(seconds, { carrier: e.carrier ?? 'unknown' });
  }
  orderLog.info(`order ${stage}`, fields);
}

/** Publishes through `inner`, then records the stage: counted once it is on the topic. */
export class ObservedStagePublisher implements StageEventPublisher {
  constructor(private readonly inner: StageEventPublisher) {}

  async publish(e: OrderStageEvent): Promise<void> {
    await this.inner.publish(e);
    recordStage(e);
  }
}

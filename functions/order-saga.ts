// The order saga: one orchestration per order, instance id = order id. Its stages (stock,
// invoice, payment, shipment, notifications) arrive with issue 4; until then it holds the order
// open for cancellation, which the API records and announces with the OrderCancelled event.
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { cancelledEvent } from './wiring/durable-workflow';
import type { SagaInput } from './wiring/durable-workflow';

df.app.orchestration('orderSaga', function* (context: OrchestrationContext) {
  const input = context.df.getInput<SagaInput>();
  context.df.setCustomStatus({ stage: 'received' });
  const cancelled = (yield context.df.waitForExternalEvent(cancelledEvent)) as { reason: string | null };
  context.df.setCustomStatus({ stage: 'cancelled' });
  return { orderId: input.orderId, outcome: 'cancelled', reason: cancelled.reason };
});

// The order's orchestrations: `orderSaga` (one per order, instance id = order id) runs each saga
// on the code of the version it started with, and `retryRefund` lets an operator replay a refund
// the saga gave up on. The saga itself is saga/order-saga.ts; saga/legacy-order-saga.ts keeps the
// path of sagas started before 5.0 until none is left.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { OrderStatus } from '../domain/order-status';
import type { RetryRefundInput } from './wiring/durable-workflow';
import { sagaHas } from './wiring/saga-versions';
import { call } from './saga/activity-contract';
import { orderActivities } from './saga/order-activities';
import { orderCalls, refundUntilAccepted } from './saga/order-calls';
import { legacyOrderSaga } from './saga/legacy-order-saga';
import { orderSagaV5 } from './saga/order-saga';
import type { SagaOutcome } from './saga/saga-outcome';

/** One order's saga, on its version's code (exported for replay tests of recorded histories). */
export function* orderSaga(context: OrchestrationContext): Generator<Task, SagaOutcome, unknown> {
  return sagaHas(context.df.version, '5.0') ? yield* orderSagaV5(context) : yield* legacyOrderSaga(context);
}
df.app.orchestration('orderSaga', orderSaga);

/**
 * Operator replay of a refund the saga gave up on (order refund-pending, `refundFailure.retrying`
 * false): start it through the Durable HTTP API with {"orderId", "customerId"} under any new
 * instance id. It tries at once, then on durable timers for another refund window; RetryNow on
 * its instance tries at once. Its request ids are new (`<orderId>:refund-r<start>-<n>`), and only
 * a whole-capture refund is ever asked for, so it cannot refund twice.
 */
df.app.orchestration('retryRefund', function* (context: OrchestrationContext): Generator<Task, { orderId: string; outcome: 'refunded' | 'refund-pending' | 'nothing-to-refund'; status?: OrderStatus }, unknown> {
  const input = context.df.getInput<RetryRefundInput>();
  if (!input?.orderId || !input.customerId) throw new Error('retryRefund needs the input {"orderId": "...", "customerId": "..."}');
  const { orderId, customerId } = input;
  const c = orderCalls(context, { orderId, customerId });
  const state = yield* call(context, orderActivities.loadRefundState, { orderId, customerId });
  const charge = state.charge;
  if (state.status !== 'refund-pending' || !charge?.captureId || charge.refunded) return { orderId, outcome: 'nothing-to-refund', status: state.status };
  const tag = Math.floor(c.ms() / 1000).toString(36);
  const after = yield* refundUntilAccepted(context, c, { orderId, charge: { ...charge, captureId: charge.captureId }, times: state.recovery, attempts: 0, key: (n) => `refund-r${tag}-${n}`, payouts: sagaHas(context.df.version, '4.0') });
  return { orderId, outcome: after.refunded ? 'refunded' : 'refund-pending' };
});

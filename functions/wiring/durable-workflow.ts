// The order saga as the application sees it, on the Durable Functions client: one orchestration
// per order, its instance id the order id.
import type { DurableClient } from 'durable-functions';
import type { Order } from '../../domain/order';
import type { OrderWorkflow } from '../../application/ports';
import { settings } from './settings';
import type { Settings } from './settings';

export const sagaName = 'orderSaga';
export const cancelledEvent = 'OrderCancelled';
export const paymentApprovedEvent = 'PaymentApproved';
export const deliveredEvent = 'ShipmentDelivered';
/** PayPal reports that a pending capture settled (completed or denied): the saga checks at once. */
export const captureSettledEvent = 'CaptureSettled';
/** An operator's nudge: a saga waiting to retry a refund or a held shipment tries at once. */
export const retryNowEvent = 'RetryNow';

/** Durable-timer retries of refunds PayPal does not accept and of shipments held by carrier credential failures. */
export interface RecoveryTimes {
  /** First wait; it doubles per attempt up to an hour. */
  retryDelaySeconds: number;
  refundWindowSeconds: number;
  holdWindowSeconds: number;
}

export const defaultRecoveryTimes: RecoveryTimes = { retryDelaySeconds: 60, refundWindowSeconds: 3 * 86_400, holdWindowSeconds: 7 * 86_400 };

export const recoveryTimesFrom = (s: Pick<Settings, 'SAGA_RETRY_DELAY_SECONDS' | 'REFUND_RETRY_WINDOW_SECONDS' | 'SHIPMENT_HOLD_RETRY_WINDOW_SECONDS'>): RecoveryTimes => ({
  retryDelaySeconds: s.SAGA_RETRY_DELAY_SECONDS,
  refundWindowSeconds: s.REFUND_RETRY_WINDOW_SECONDS,
  holdWindowSeconds: s.SHIPMENT_HOLD_RETRY_WINDOW_SECONDS,
});

export interface SagaInput {
  orderId: string;
  customerId: string;
  /** The order as placed: the saga stores it if the request that started it died before it could (absent in sagas started before). */
  order?: Order;
  /** Fixed at start, so a configuration change never alters a running saga's replay. */
  approvalTimeoutSeconds: number;
  /** Fixed at start too; absent in sagas started before it existed (the defaults apply). */
  recovery?: RecoveryTimes;
}

/** Input of the `refundOrder` orchestration: one refund recorded on a shipped or delivered order. */
export interface RefundOrderInput {
  orderId: string;
  customerId: string;
  refundId: string;
  /** First wait before asking PayPal again when it could not be reached (doubling up to an hour); fixed at start. */
  retryDelaySeconds: number;
  /** Units to put back into stock once refunded. */
  restock?: { sku: string; quantity: number }[];
}

/** One saga per refund: `<orderId>:refund:<refundId>`. */
export const refundInstanceId = (orderId: string, refundId: string): string => `${orderId}:refund:${refundId}`;

/** Input of the `retryRefund` orchestration an operator starts for a refund-pending order. */
export interface RetryRefundInput {
  orderId: string;
  customerId: string;
}

// durable-functions reports a missing instance only through the message of a plain Error:
// getStatus says "HTTP 404", raiseEvent "No instance with ID '…' found.".
export const isNotFound = (err: unknown): boolean => err instanceof Error && /HTTP 404|^No instance with ID '/.test(err.message);
export const isConflict = (err: unknown): boolean => err instanceof Error && /status code: 409/.test(err.message);

export class DurableOrderWorkflow implements OrderWorkflow {
  constructor(
    private readonly client: DurableClient,
    private readonly approvalTimeoutSeconds: number,
    private readonly recovery: RecoveryTimes = recoveryTimesFrom(settings()),
  ) {}

  async start(order: Order, mayExist: boolean): Promise<void> {
    const input: SagaInput = { orderId: order.id, customerId: order.customer.id, order, approvalTimeoutSeconds: this.approvalTimeoutSeconds, recovery: this.recovery };
    await this.startOnce(sagaName, order.id, input, mayExist);
  }

  async startRefund(order: Order, refundId: string): Promise<void> {
    const restock = order.refunds?.find((r) => r.id === refundId)?.restock;
    const input: RefundOrderInput = { orderId: order.id, customerId: order.customer.id, refundId, retryDelaySeconds: this.recovery.retryDelaySeconds, ...(restock ? { restock } : {}) };
    // A refund saga never runs twice, so always look first; one that failed is restarted (it
    // finds PayPal's refund id and its credit-note number again instead of making new ones).
    await this.startOnce('refundOrder', refundInstanceId(order.id, refundId), input, true, true);
  }

  /**
   * Starts the instance unless it exists; startNew on a finished instance would run it again, so
   * `mayExist` looks first. `restartFailed`: one that failed or was terminated is started anew
   * (under the same id), for sagas whose every step is safe to repeat.
   */
  private async startOnce(name: string, instanceId: string, input: unknown, mayExist: boolean, restartFailed = false): Promise<void> {
    if (mayExist) {
      try {
        const status = await this.client.getStatus(instanceId);
        if (!restartFailed || (status.runtimeStatus !== 'Failed' && status.runtimeStatus !== 'Terminated')) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    try {
      await this.client.startNew(name, { instanceId, input });
    } catch (err) {
      if (!isConflict(err)) throw err; // a concurrent retry started it first
    }
  }

  async notifyCancelled(order: Order): Promise<void> {
    await raiseUnlessFinished(this.client, order.id, cancelledEvent, { reason: order.cancellationReason ?? null });
  }
}

/** Raises the event unless the saga has already finished (then there is nothing to tell). */
export async function raiseUnlessFinished(client: DurableClient, orderId: string, event: string, data: unknown): Promise<void> {
  try {
    await client.raiseEvent(orderId, event, data);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

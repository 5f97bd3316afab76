// How an order's saga ended: its instance output, of every saga version.
export type SagaOutcome = {
  orderId: string;
  outcome: 'delivered' | 'shipped' | 'cancelled' | 'payment-failed' | 'payment-expired' | 'refunded' | 'refund-pending';
  reason?: string;
};

// What the saga's activities answer, named by the activities (saga-activities.ts) and the
// orchestrator (order-saga.ts) alike, so neither imports the other.
import type { Money } from '../../domain/money';

/** What the saga needs to know about the order, loaded once. */
export interface SagaOrder {
  lines: { sku: string; quantity: number }[];
  total: Money;
  vaulted: boolean;
  year: number;
}

/** What became of a void: voided (now or before), captured after all (refund it), or refused. */
export type VoidAnswer = { outcome: 'voided' } | { outcome: 'captured'; captureId: string; amount: Money } | { outcome: 'failed'; reason: string };

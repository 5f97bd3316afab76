// The dispute orchestration as the webhook and the admin API see it: one instance per PayPal
// dispute, started by the first event about it, told of every later one.
import type { DurableClient } from 'durable-functions';
import { isConflict, isNotFound } from './durable-workflow';

export const disputeSagaName = 'disputeSaga';
export const disputeUpdatedEvent = 'DisputeUpdated';
export const disputeInstanceId = (disputeId: string): string => `dispute:${disputeId}`;

export interface DisputeSagaInput {
  disputeId: string;
  /** The webhook event that started it. */
  event?: { id: string; type: string };
  /** First wait while no order matches (doubling up to an hour); fixed at start. */
  retryDelaySeconds: number;
  /** How often PayPal is asked again when no webhook came; fixed at start. */
  resyncSeconds: number;
}

/** What woke the orchestration: a webhook event (recorded on the dispute), or an admin action. */
export interface DisputeUpdate {
  event?: { id: string; type: string };
  action?: string;
}

/**
 * Starts the dispute's orchestration, or tells the running one that something changed. A finished
 * one is started again: a dispute can reopen (an appeal), and a run over a settled dispute only
 * confirms what is recorded (every step is recorded once).
 */
export async function startOrNotify(client: DurableClient, input: DisputeSagaInput, update: DisputeUpdate): Promise<'started' | 'notified'> {
  const id = disputeInstanceId(input.disputeId);
  let status: string | undefined;
  try {
    status = (await client.getStatus(id)).runtimeStatus;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (status === undefined || status === 'Failed' || status === 'Terminated' || status === 'Completed') {
    try {
      await client.startNew(disputeSagaName, { instanceId: id, input });
      return 'started';
    } catch (err) {
      if (!isConflict(err)) throw err; // a concurrent webhook started it first: tell it
    }
  }
  await client.raiseEvent(id, disputeUpdatedEvent, update);
  return 'notified';
}

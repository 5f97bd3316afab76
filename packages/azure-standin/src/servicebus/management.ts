// The `$management` request/response operations the @azure/service-bus SDK uses on an entity's
// `<entity>/$management` node. Responses carry `statusCode`/`statusDescription`/`errorCondition`
// application properties (camel-cased, unlike CBS), as the service sends them.
import rhea from 'rhea';
import type { Message } from 'rhea';
import { toEnqueueRequest, toWireMessage, uuidToString } from './amqp-codec';
import type { BusStore } from './bus-store';
import type { ResolvedAddress } from './config';

export interface ManagementResponse {
  statusCode: number;
  statusDescription: string;
  errorCondition?: string;
  body?: unknown;
}

export interface ManagementContext {
  store: BusStore;
  target: ResolvedAddress;
  now: () => number;
  /** Called with the queues/subscriptions that received messages. */
  enqueued(entityKeys: string[]): void;
}

const lockLostDescription = 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.';

export function handleManagementRequest(ctx: ManagementContext, request: Message): ManagementResponse {
  const operation = String(request.application_properties?.operation ?? '');
  const body = (request.body ?? {}) as Record<string, unknown>;
  switch (operation) {
    case 'com.microsoft:peek-message':
      return peek(ctx, body);
    case 'com.microsoft:renew-lock':
      return renewLock(ctx, body);
    case 'com.microsoft:schedule-message':
      return schedule(ctx, body);
    case 'com.microsoft:cancel-scheduled-message':
      return cancelScheduled(ctx, body);
    default:
      return { statusCode: 501, errorCondition: 'amqp:not-implemented', statusDescription: `The Service Bus emulator does not implement the management operation '${operation}'.` };
  }
}

function peek(ctx: ManagementContext, body: Record<string, unknown>): ManagementResponse {
  const { entity, subQueue } = ctx.target;
  if (entity.kind === 'topic') return notAllowed(`Cannot peek messages from topic '${entity.path}'; peek a subscription.`);
  const from = Math.max(1, Number(body['from-sequence-number'] ?? 1));
  const count = Number(body['message-count'] ?? 1);
  if (!Number.isInteger(count) || count < 1) return argumentError("'message-count' must be a positive integer.");
  const messages = ctx.store.peek(entity, subQueue, from, count);
  if (!messages.length) return { statusCode: 204, statusDescription: 'No messages available.' };
  const now = ctx.now();
  return ok({ messages: messages.map((m) => ({ message: rhea.message.encode(toWireMessage(m, now)) })) });
}

function renewLock(ctx: ManagementContext, body: Record<string, unknown>): ManagementResponse {
  const { entity, subQueue } = ctx.target;
  if (entity.kind === 'topic') return notAllowed(`Topic '${entity.path}' has no message locks.`);
  const tokens = Array.isArray(body['lock-tokens']) ? body['lock-tokens'].map(uuidToString) : [];
  if (!tokens.length || tokens.some((t) => t === undefined)) return argumentError("'lock-tokens' must be a non-empty array of uuids.");
  const expirations: Date[] = [];
  for (const token of tokens) {
    const until = ctx.store.renewLock(entity, subQueue, token!);
    if (until === undefined) return { statusCode: 410, errorCondition: 'com.microsoft:message-lock-lost', statusDescription: lockLostDescription };
    expirations.push(new Date(until));
  }
  return ok({ expirations });
}

function schedule(ctx: ManagementContext, body: Record<string, unknown>): ManagementResponse {
  const { entity, subQueue } = ctx.target;
  if (entity.kind === 'subscription' || subQueue !== 'active') return notAllowed(`Messages cannot be scheduled on '${entity.path}'; schedule them on a queue or topic.`);
  const entries = Array.isArray(body.messages) ? (body.messages as { message?: unknown }[]) : [];
  if (!entries.length || entries.some((e) => !Buffer.isBuffer(e?.message))) return argumentError("'messages' must be a non-empty array of encoded messages.");
  const results = ctx.store.enqueue(entity, entries.map((e) => toEnqueueRequest(Buffer.from(e.message as Buffer))));
  ctx.enqueued(results.flatMap((r) => r.deliveredTo));
  // A message dropped as a duplicate was never scheduled: 0 is never a real sequence number.
  return ok({ 'sequence-numbers': results.map((r) => r.sequenceNumber ?? 0) });
}

function cancelScheduled(ctx: ManagementContext, body: Record<string, unknown>): ManagementResponse {
  const { entity, subQueue } = ctx.target;
  if (entity.kind === 'subscription' || subQueue !== 'active') return notAllowed(`'${entity.path}' has no scheduled messages; cancel them on the queue or topic.`);
  const raw = Array.isArray(body['sequence-numbers']) ? body['sequence-numbers'] : [];
  const seqs = raw.map((v) => (Buffer.isBuffer(v) ? Number(v.readBigInt64BE()) : Number(v)));
  if (seqs.some((n) => !Number.isSafeInteger(n))) return argumentError("'sequence-numbers' must be an array of longs.");
  ctx.store.cancelScheduled(entity, seqs);
  return ok(undefined);
}

function ok(body: unknown): ManagementResponse {
  return { statusCode: 200, statusDescription: 'OK', body };
}

function argumentError(description: string): ManagementResponse {
  return { statusCode: 400, errorCondition: 'com.microsoft:argument-error', statusDescription: description };
}

function notAllowed(description: string): ManagementResponse {
  return { statusCode: 400, errorCondition: 'amqp:not-allowed', statusDescription: description };
}

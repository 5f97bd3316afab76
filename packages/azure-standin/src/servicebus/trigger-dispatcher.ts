// Runs `serviceBusTrigger` functions the way the Functions Service Bus extension does with
// autoCompleteMessages=true: peek-lock receive, complete on success, abandon on failure (so the
// message comes back with a higher delivery count until maxDeliveryCount dead-letters it), at most
// maxConcurrentCalls invocations at once (one batch at a time for cardinality "many"), and the
// lock renewed while the function runs, for up to maxAutoLockRenewalDuration.
//
// Trigger input and metadata are shaped as the host sends them to a Node worker: the binding data
// of the extension's ServiceBusTriggerBindingStrategy converted by the host's ToRpc (strings as
// `string`, string[] and long[] as collections, everything else as Newtonsoft JSON).
import { randomUUID } from 'node:crypto';
import type { RpcTypedData } from '../core/rpc-types';
import { toReceivedMessage } from './amqp-codec';
import type { ReceivedMessage } from './amqp-codec';
import type { BusStore, StoredMessage } from './bus-store';
import type { ReceivableEntity } from './config';
import type { Consumer, DeliveryHub } from './delivery-hub';
import { errorText } from './logger';
import type { EmulatorLogger } from './logger';

export interface ServiceBusTriggerTarget {
  functionName: string;
  /** "orders" (queue) or "order-events/Subscriptions/email". */
  entityPath: string;
  cardinality: 'one' | 'many';
  /** Runs the function; rejects when the function failed. */
  invoke(triggerInput: RpcTypedData, triggerMetadata: Record<string, RpcTypedData>): Promise<void>;
}

/** host.json `extensions.serviceBus` settings that shape dispatch. */
export interface TriggerOptions {
  maxConcurrentCalls: number;
  maxMessageBatchSize: number;
  maxAutoLockRenewalMs: number;
}

export const defaultTriggerOptions: TriggerOptions = { maxConcurrentCalls: 16, maxMessageBatchSize: 1000, maxAutoLockRenewalMs: 5 * 60_000 };

export class TriggerDispatcher implements Consumer {
  readonly subQueue = 'active';
  readonly mode = 'peekLock';
  private readonly running = new Set<Promise<void>>();
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly target: ServiceBusTriggerTarget,
    readonly entity: ReceivableEntity,
    private readonly options: TriggerOptions,
    private readonly store: BusStore,
    private readonly hub: DeliveryHub,
    private readonly logger: EmulatorLogger,
    private readonly now: () => number,
  ) {}

  capacity(): number {
    if (this.stopped) return 0;
    if (this.target.cardinality === 'many') return this.inFlight === 0 ? this.options.maxMessageBatchSize : 0;
    return this.options.maxConcurrentCalls - this.inFlight;
  }

  deliver(messages: StoredMessage[]): void {
    const batches = this.target.cardinality === 'many' ? [messages] : messages.map((m) => [m]);
    for (const batch of batches) {
      const run = this.run(batch).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /** Takes no more messages and waits for running invocations; their messages stay locked if they outlive `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    if (!this.running.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  private async run(batch: StoredMessage[]): Promise<void> {
    this.inFlight += batch.length;
    const messages = batch.map(toReceivedMessage);
    const stopRenewal = this.renewLocks(batch);
    let failure: unknown;
    try {
      const { input, metadata } = this.target.cardinality === 'many' ? batchBinding(messages) : singleBinding(messages[0]);
      metadata.sys = systemData(this.target.functionName, this.now());
      await this.target.invoke(input, metadata);
    } catch (err) {
      failure = err;
    } finally {
      stopRenewal();
    }
    this.settle(batch, failure);
    this.inFlight -= batch.length;
    this.hub.notify(this.entity.key);
  }

  private settle(batch: StoredMessage[], failure: unknown): void {
    const fields = { function: this.target.functionName, entity: this.entity.path };
    if (failure !== undefined) {
      this.logger.warn('Service Bus trigger failed; abandoning the message(s) for redelivery', { ...fields, count: batch.length, error: errorText(failure) });
    }
    for (const m of batch) {
      try {
        const result = failure === undefined ? this.store.complete(this.entity, 'active', m.lockToken!) : this.store.abandon(this.entity, 'active', m.lockToken!);
        if (result === 'lockLost') this.logger.warn('Service Bus trigger: message lock lost before settlement; it will be delivered again', { ...fields, sequenceNumber: m.sequenceNumber });
      } catch (err) {
        this.logger.error('Service Bus trigger: could not settle a message', { ...fields, sequenceNumber: m.sequenceNumber, error: errorText(err) });
      }
    }
  }

  /** Renews the batch's locks at half the lock duration until the function ends or the renewal budget is spent. */
  private renewLocks(batch: StoredMessage[]): () => void {
    const deadline = this.now() + this.options.maxAutoLockRenewalMs;
    const interval = Math.max(10, Math.floor(this.entity.lockDurationMs / 2));
    const timer = setInterval(() => {
      if (this.now() >= deadline) return clearInterval(timer);
      for (const m of batch) {
        try {
          this.store.renewLock(this.entity, 'active', m.lockToken!);
        } catch (err) {
          this.logger.error('Service Bus trigger: lock renewal failed', { function: this.target.functionName, error: errorText(err) });
        }
      }
    }, interval);
    return () => clearInterval(timer);
  }
}

// --- binding data --------------------------------------------------------------------------------

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });
const str = (value: string): RpcTypedData => ({ string: value });
const utf8 = new TextDecoder('utf-8', { fatal: true });
const maxDateTimeOffset = '9999-12-31T23:59:59.9999999';

/** The message body as the host passes it: JSON text as json, other UTF-8 text as string, else bytes. */
export function bodyData(body: Buffer): RpcTypedData {
  const text = decodeUtf8(body);
  if (text === undefined) return { bytes: new Uint8Array(body) };
  return isJson(text) ? { json: text } : { string: text };
}

function singleBinding(m: ReceivedMessage): { input: RpcTypedData; metadata: Record<string, RpcTypedData> } {
  const metadata: Record<string, RpcTypedData> = {
    DeliveryCount: json(m.deliveryCount),
    LockToken: str(m.lockToken!),
    ExpiresAtUtc: json(dateTime(m.expiresAtUtc)),
    ExpiresAt: json(dateTimeOffset(m.expiresAtUtc)),
    EnqueuedTimeUtc: json(dateTime(m.enqueuedTimeUtc)),
    EnqueuedTime: json(dateTimeOffset(m.enqueuedTimeUtc)),
    SequenceNumber: json(m.sequenceNumber),
    ApplicationProperties: json(m.applicationProperties),
    UserProperties: json(m.applicationProperties),
  };
  // Null properties are left out, as the host skips null binding data.
  const optional: [string, string | undefined][] = [
    ['MessageId', m.messageId],
    ['ContentType', m.contentType],
    ['ReplyTo', m.replyTo],
    ['To', m.to],
    ['Subject', m.subject],
    ['Label', m.subject],
    ['CorrelationId', m.correlationId],
    ['SessionId', m.sessionId],
    ['ReplyToSessionId', m.replyToSessionId],
  ];
  for (const [key, value] of optional) if (value !== undefined) metadata[key] = str(value);
  return { input: bodyData(m.body), metadata };
}

function batchBinding(ms: ReceivedMessage[]): { input: RpcTypedData; metadata: Record<string, RpcTypedData> } {
  // string[] → collectionString (the host drops null and empty entries), long[] → collectionSint64,
  // int[], DateTime[] and dictionaries → JSON.
  const strings = (pick: (m: ReceivedMessage) => string | undefined): RpcTypedData => ({
    collectionString: { string: ms.map(pick).filter((s): s is string => !!s) },
  });
  const metadata: Record<string, RpcTypedData> = {
    DeliveryCountArray: json(ms.map((m) => m.deliveryCount)),
    LockTokenArray: strings((m) => m.lockToken),
    ExpiresAtUtcArray: json(ms.map((m) => dateTime(m.expiresAtUtc))),
    ExpiresAtArray: json(ms.map((m) => dateTimeOffset(m.expiresAtUtc))),
    EnqueuedTimeUtcArray: json(ms.map((m) => dateTime(m.enqueuedTimeUtc))),
    EnqueuedTimeArray: json(ms.map((m) => dateTimeOffset(m.enqueuedTimeUtc))),
    MessageIdArray: strings((m) => m.messageId),
    ContentTypeArray: strings((m) => m.contentType),
    ReplyToArray: strings((m) => m.replyTo),
    SequenceNumberArray: { collectionSint64: { sint64: ms.map((m) => m.sequenceNumber) } },
    ToArray: strings((m) => m.to),
    SubjectArray: strings((m) => m.subject),
    LabelArray: strings((m) => m.subject),
    CorrelationIdArray: strings((m) => m.correlationId),
    ApplicationPropertiesArray: json(ms.map((m) => m.applicationProperties)),
    UserPropertiesArray: json(ms.map((m) => m.applicationProperties)),
    SessionIdArray: strings((m) => m.sessionId),
    ReplyToSessionIdArray: strings((m) => m.replyToSessionId),
    DeadLetterSourceArray: strings(() => undefined),
    PartitionKeyArray: strings(() => undefined),
    TransactionPartitionKeyArray: strings(() => undefined),
  };
  const texts = ms.map((m) => decodeUtf8(m.body));
  let input: RpcTypedData;
  if (texts.every((t): t is string => t !== undefined && isJson(t))) input = { json: `[${texts.join(',')}]` };
  else if (texts.every((t): t is string => t !== undefined)) input = { collectionString: { string: texts } };
  else input = { collectionBytes: { bytes: ms.map((m) => new Uint8Array(m.body)) } };
  return { input, metadata };
}

/** The WebJobs SDK's `sys` binding data, present on every invocation. */
function systemData(functionName: string, now: number): RpcTypedData {
  return json({ MethodName: functionName, UtcNow: dateTimeOffset(new Date(now)), RandGuid: randomUUID() });
}

/** Newtonsoft's rendering of a DateTime of unspecified kind (what `DateTimeOffset.DateTime` gives): no zone, trailing zeros trimmed. */
function dateTime(d: Date | undefined): string {
  if (!d) return maxDateTimeOffset;
  const [whole, fraction = ''] = d.toISOString().slice(0, -1).split('.');
  const digits = fraction.replace(/0+$/, '');
  return digits ? `${whole}.${digits}` : whole;
}

/** Newtonsoft's rendering of a UTC DateTimeOffset; a message without TTL expires at DateTimeOffset.MaxValue. */
function dateTimeOffset(d: Date | undefined): string {
  return `${dateTime(d)}+00:00`;
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function isJson(text: string): boolean {
  if (!text.trim()) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

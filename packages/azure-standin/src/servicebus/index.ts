// A local Azure Service Bus namespace for the embedded Functions runtime: the real
// @azure/service-bus SDK connects to it over AMQP with an emulator connection string, messages
// live in SQLite, and serviceBusTrigger functions are fed from it in-process.
import type { Database } from '../core/sqlite';
import { encodeOutgoing, toEnqueueRequest, toReceivedMessage } from './amqp-codec';
import type { OutgoingMessage, ReceivedMessage } from './amqp-codec';
import { AmqpEndpoint } from './amqp-endpoint';
import { BusStore } from './bus-store';
import type { EnqueueResult } from './bus-store';
import { EntityRegistry, parseEntityConfig } from './config';
import type { EntityConfigInput, ReceivableEntity, SendableEntity, SubQueue } from './config';
import { DeliveryHub } from './delivery-hub';
import { silentLogger } from './logger';
import type { EmulatorLogger } from './logger';
import { defaultTriggerOptions, TriggerDispatcher } from './trigger-dispatcher';
import type { ServiceBusTriggerTarget, TriggerOptions } from './trigger-dispatcher';

export { entityConfigSchema, parseEntityConfig } from './config';
export type { SubQueue } from './config';
export type { EntityConfig, EntityConfigInput, QueueConfig, SubscriptionConfig, TopicConfig, CorrelationFilter } from './config';
export type { OutgoingMessage, ReceivedMessage } from './amqp-codec';
export type { EnqueueResult } from './bus-store';
export type { EmulatorLogger } from './logger';
export type { ServiceBusTriggerTarget, TriggerOptions } from './trigger-dispatcher';

export interface ServiceBusEmulatorOptions {
  /** An open SQLite database (core/sqlite); the emulator owns only its `sb_*` tables. */
  db: Database;
  /** Validated with parseEntityConfig; names are case-insensitive. */
  entities: EntityConfigInput;
  sasKeyName: string;
  sasKey: string;
  logger?: EmulatorLogger;
  now?: () => number;
  /** How long close() waits for running trigger invocations (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface EntityStats {
  path: string;
  kind: 'queue' | 'subscription';
  active: number;
  scheduled: number;
  locked: number;
  deadLetter: number;
}

export class ServiceBusEmulator {
  readonly entities: EntityRegistry;
  private readonly store: BusStore;
  private readonly hub: DeliveryHub;
  private readonly endpoint: AmqpEndpoint;
  private readonly logger: EmulatorLogger;
  private readonly now: () => number;
  private readonly dispatchers: TriggerDispatcher[] = [];
  private readonly started = new Map<TriggerDispatcher, () => void>();
  private endpointAddress?: { host: string; port: number };

  constructor(private readonly options: ServiceBusEmulatorOptions) {
    this.entities = new EntityRegistry(parseEntityConfig(options.entities));
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.store = new BusStore(options.db, this.now);
    const released = this.store.expireLocksFromPreviousRun();
    if (released) this.logger.info('Service Bus emulator: released message locks held when the previous run stopped', { messages: released });
    this.hub = new DeliveryHub(this.store, this.logger, this.now);
    this.endpoint = new AmqpEndpoint({
      registry: this.entities,
      store: this.store,
      hub: this.hub,
      sasKeyName: options.sasKeyName,
      sasKey: options.sasKey,
      logger: this.logger,
      now: this.now,
    });
  }

  /** Starts the AMQP listener; resolves with the actual port (0 picks a free one). */
  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    const actual = await this.endpoint.listen(port, host);
    this.endpointAddress = { host, port: actual };
    return actual;
  }

  /** The connection string an SDK client uses to reach this emulator (after listen()). */
  connectionString(): string {
    if (!this.endpointAddress) throw new Error('The Service Bus emulator is not listening yet; call listen() first.');
    const { host, port } = this.endpointAddress;
    return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${this.options.sasKeyName};SharedAccessKey=${this.options.sasKey};UseDevelopmentEmulator=true`;
  }

  /** Registers a serviceBusTrigger function; it receives messages once start() is called. */
  addTrigger(target: ServiceBusTriggerTarget, options: Partial<TriggerOptions> = {}): void {
    const entity = this.receivable(target.entityPath, `serviceBusTrigger function "${target.functionName}"`);
    const settings = { ...defaultTriggerOptions, ...options };
    for (const [name, value] of Object.entries(settings)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`serviceBusTrigger function "${target.functionName}": ${name} must be a positive integer, got ${value}.`);
    }
    this.dispatchers.push(new TriggerDispatcher(target, entity, settings, this.store, this.hub, this.logger, this.now));
  }

  /** Starts delivering messages to the registered triggers. */
  start(): void {
    for (const d of this.dispatchers) if (!this.started.has(d)) this.started.set(d, this.hub.add(d));
  }

  /** Sends messages to a queue or topic from inside the process (Functions output bindings). */
  async send(entityPath: string, messages: OutgoingMessage[]): Promise<EnqueueResult[]> {
    const entity = this.entities.get(entityPath);
    if (!entity || entity.kind === 'subscription') throw new Error(`Cannot send to "${entityPath}": ${entity ? 'a subscription is not a send target' : 'no such queue or topic is configured'}. ${this.known()}`);
    const results = this.store.enqueue(entity as SendableEntity, messages.map((m) => toEnqueueRequest(encodeOutgoing(m))));
    for (const key of new Set(results.flatMap((r) => r.deliveredTo))) this.hub.notify(key);
    return results;
  }

  /** The dead-lettered messages of a queue or subscription, oldest first (for inspection and tests). */
  deadLetters(entityPath: string, max = 1000): ReceivedMessage[] {
    return this.store.peek(this.receivable(entityPath, 'deadLetters()'), 'deadLetter', 1, max).map(toReceivedMessage);
  }

  /** Messages of a queue or subscription (or its dead-letter queue), oldest first, without locking them. */
  peek(entityPath: string, subQueue: SubQueue, max = 50, fromSequenceNumber = 1): ReceivedMessage[] {
    return this.store.peek(this.receivable(entityPath, 'peek()'), subQueue, fromSequenceNumber, max).map(toReceivedMessage);
  }

  /**
   * Sends a dead-lettered message back to the queue or subscription that dead-lettered it (a
   * subscription only, not the topic's other subscriptions) and removes the dead letter, in one
   * transaction. Receivers are woken as for a new message.
   */
  resubmitDeadLetter(entityPath: string, sequenceNumber: number): { result: 'moved'; sequenceNumber: number } | { result: 'missing' | 'locked' } {
    const entity = this.receivable(entityPath, 'resubmitDeadLetter()');
    // Subscriptions number their messages with their topic's sequence.
    const sequenceKey = entity.kind === 'subscription' ? entity.key.slice(0, entity.key.indexOf('/subscriptions/')) : entity.key;
    const outcome = this.store.resubmitDeadLetter(entity, sequenceKey, sequenceNumber, toEnqueueRequest);
    if (outcome.result === 'moved') this.hub.notify(entity.key);
    return outcome;
  }

  /** Deletes one message of a queue or subscription (or its dead-letter queue). */
  deleteMessage(entityPath: string, subQueue: SubQueue, sequenceNumber: number): 'removed' | 'missing' | 'locked' {
    const outcome = this.store.removeMessage(this.receivable(entityPath, 'deleteMessage()'), subQueue, sequenceNumber);
    if (outcome === 'removed') this.hub.notify(this.receivable(entityPath, 'deleteMessage()').key);
    return outcome;
  }

  /** Message counts per queue and subscription. */
  stats(): EntityStats[] {
    const counts = new Map(this.store.counts().map((c) => [c.entityKey, c]));
    return this.entities.receivables().map((e) => {
      const c = counts.get(e.key);
      return { path: e.path, kind: e.kind, active: c?.active ?? 0, scheduled: c?.scheduled ?? 0, locked: c?.locked ?? 0, deadLetter: c?.deadLetter ?? 0 };
    });
  }

  /** Stops triggers (waiting for running invocations), then closes every AMQP connection and the listener. */
  async close(): Promise<void> {
    const timeout = this.options.shutdownTimeoutMs ?? 30_000;
    for (const remove of this.started.values()) remove();
    this.started.clear();
    await Promise.all(this.dispatchers.map((d) => d.stop(timeout)));
    this.hub.close();
    await this.endpoint.close();
  }

  private receivable(path: string, who: string): ReceivableEntity {
    const entity = this.entities.get(path);
    if (entity && entity.kind !== 'topic') return entity;
    const hint = entity ? ` "${entity.path}" is a topic; use "${entity.path}/Subscriptions/<subscription>".` : '';
    throw new Error(`${who}: no queue or subscription "${path}" is configured.${hint} ${this.known()}`);
  }

  private known(): string {
    const names = this.entities.all().map((e) => e.path);
    return names.length ? `Configured entities: ${names.join(', ')}.` : 'No entities are configured.';
  }
}

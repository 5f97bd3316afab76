// The AMQP 1.0 listener (rhea, plain TCP as with `UseDevelopmentEmulator=true`) that the real
// @azure/service-bus SDK talks to. It speaks what the SDK does against Azure: SASL ANONYMOUS,
// claims-based security on `$cbs` (SAS put-token), sender links to queues and topics, receiver
// links from queues, subscriptions and their dead-letter queues, dispositions, and the
// `<entity>/$management` request/response node.
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { Connection, Container, Delivery, EventContext, Message, Receiver, Sender } from 'rhea';
import { batchMessageFormat, deliveryTagToLockToken, lockTokenToDeliveryTag, toEnqueueRequest, toWireMessage, unpackBatch } from './amqp-codec';
import type { BusStore, EnqueueRequest, ReceiveMode, SettleResult, StoredMessage } from './bus-store';
import { normalizePath } from './config';
import type { EntityRegistry, ReceivableEntity, ResolvedAddress, SendableEntity, SubQueue } from './config';
import type { Consumer, DeliveryHub } from './delivery-hub';
import { errorText } from './logger';
import type { EmulatorLogger } from './logger';
import { handleManagementRequest } from './management';
import { verifySasToken } from './sas';

/** Standard tier's limit, which the SDK reads from the attach to size its batches. */
export const maxMessageSizeBytes = 256 * 1024;

const cbsAddress = '$cbs';
const sasTokenType = 'servicebus.windows.net:sastoken';
const lockLost = { condition: 'com.microsoft:message-lock-lost', description: 'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.' };

// Parts of rhea's link and outcome API that its typings leave out.
interface LinkInternals {
  credit: number;
  local: { attach: { snd_settle_mode?: number; max_message_size?: number } };
  connection: { _register(): void };
}
interface Outcome {
  described(): unknown;
}
interface OutcomeFactory {
  accepted(): Outcome;
  released(): Outcome;
  rejected(fields?: { error?: { condition: string; description: string } }): Outcome;
  modified(fields?: Record<string, unknown>): Outcome;
}
const outcomes = rhea.message as unknown as OutcomeFactory;
type OutcomeName = 'accepted' | 'released' | 'modified' | 'rejected';

type ReceiverRole = { kind: 'cbs' } | { kind: 'management'; target: ResolvedAddress } | { kind: 'entity'; entity: SendableEntity };

interface ConnectionState {
  /** Lower-cased entity paths this connection holds a valid token for ('' = the namespace). */
  authorized: Set<string>;
  /** Request/response reply links by link name and by target address (the requests' reply-to). */
  replyLinks: Map<string, Sender>;
  consumers: Map<Sender, { consumer: LinkConsumer; remove: () => void }>;
}

interface PendingSend {
  entity: SendableEntity;
  requests: EnqueueRequest[];
  delivery: Delivery;
}

export interface AmqpEndpointOptions {
  registry: EntityRegistry;
  store: BusStore;
  hub: DeliveryHub;
  sasKeyName: string;
  sasKey: string;
  logger: EmulatorLogger;
  now: () => number;
}

export class AmqpEndpoint {
  private readonly container: Container;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Map<Connection, ConnectionState>();
  private readonly receiverRoles = new WeakMap<Receiver, ReceiverRole>();
  private pending: PendingSend[] = [];
  private flushTimer?: NodeJS.Immediate;
  private namespace = 'localhost';

  constructor(private readonly o: AmqpEndpointOptions) {
    // Sends are acknowledged only after they are committed, so nothing is auto-accepted.
    this.container = rhea.create_container({ id: 'servicebus-emulator', autoaccept: false, treat_modified_as_released: false });
    const on = (event: string, handler: (ctx: EventContext) => void) =>
      this.container.on(event, (ctx: EventContext) => {
        try {
          handler(ctx);
        } catch (err) {
          this.o.logger.error(`Service Bus emulator: error handling AMQP ${event}`, { error: errorText(err) });
        }
      });
    on('sender_open', (ctx) => this.onSenderOpen(ctx.connection, ctx.sender!));
    on('receiver_open', (ctx) => this.onReceiverOpen(ctx.connection, ctx.receiver!));
    on('sender_close', (ctx) => this.removeConsumer(ctx.connection, ctx.sender!));
    on('session_close', (ctx) => this.removeClosedConsumers(ctx.connection));
    on('connection_close', (ctx) => this.dropConnection(ctx.connection));
    on('disconnected', (ctx) => this.dropConnection(ctx.connection));
    on('message', (ctx) => this.onMessage(ctx));
    on('sendable', (ctx) => this.consumerOf(ctx)?.wake());
    on('sender_draining', (ctx) => this.consumerOf(ctx)?.requestDrain());
    for (const outcome of ['accepted', 'released', 'modified', 'rejected'] as const) on(outcome, (ctx) => this.onOutcome(ctx, outcome));
    for (const event of ['connection_error', 'session_error', 'sender_error', 'receiver_error']) {
      on(event, (ctx) => this.o.logger.debug(`Service Bus emulator: ${event.replace('_', ' ')}`, { error: errorText(ctx.error ?? ctx.connection.error) }));
    }
    this.container.on('error', (err: unknown) => this.o.logger.warn('Service Bus emulator: AMQP error', { error: errorText(err) }));
  }

  /** Starts listening; resolves with the actual port (pass 0 for any free port). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = this.container.listen({ port, host, transport: 'tcp' });
      this.server = server;
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      });
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        server.on('error', (err) => this.o.logger.error('Service Bus emulator: listener error', { error: errorText(err) }));
        const actual = (server.address() as AddressInfo).port;
        this.namespace = `${host}:${actual}`;
        resolve(actual);
      });
    });
  }

  /** Commits and acknowledges sends in flight, closes every connection and stops listening. */
  async close(): Promise<void> {
    this.flush();
    for (const conn of this.connections.keys()) conn.close({ condition: 'amqp:connection:forced', description: 'The Service Bus emulator is shutting down.' });
    this.connections.clear();
    if (this.sockets.size) await new Promise((r) => setTimeout(r, 50)); // let the close frames go out
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private state(conn: Connection): ConnectionState {
    let st = this.connections.get(conn);
    if (!st) this.connections.set(conn, (st = { authorized: new Set(), replyLinks: new Map(), consumers: new Map() }));
    return st;
  }

  // --- links -------------------------------------------------------------------------------

  /** The peer attached a receiver: we send from a queue/subscription, or replies for $cbs/$management. */
  private onSenderOpen(conn: Connection, sender: Sender): void {
    const address = sender.source?.address ?? '';
    sender.set_source({ address });
    const resolved = address === cbsAddress ? undefined : this.o.registry.resolveAddress(address);
    if (address === cbsAddress || resolved?.management) {
      const st = this.state(conn);
      st.replyLinks.set(sender.name, sender);
      if (sender.target?.address) st.replyLinks.set(sender.target.address, sender);
      return;
    }
    if (!resolved) return this.refuse(sender, 'amqp:not-found', this.notFound(address));
    if (!this.authorized(conn, address)) return this.refuse(sender, 'amqp:unauthorized-access', this.unauthorized(address));
    const { entity, subQueue } = resolved;
    if (entity.kind === 'topic') return this.refuse(sender, 'amqp:not-allowed', `Cannot receive from topic '${entity.path}'; receive from one of its subscriptions ('${entity.path}/Subscriptions/<name>').`);
    const receiveAndDelete = sender.snd_settle_mode === 1;
    (sender as unknown as LinkInternals).local.attach.snd_settle_mode = receiveAndDelete ? 1 : 0;
    const consumer = new LinkConsumer(sender, entity, subQueue, receiveAndDelete ? 'receiveAndDelete' : 'peekLock', this.o.hub, this.o.now);
    this.state(conn).consumers.set(sender, { consumer, remove: this.o.hub.add(consumer) });
  }

  /** The peer attached a sender: messages to a queue/topic, or requests to $cbs/$management. */
  private onReceiverOpen(conn: Connection, receiver: Receiver): void {
    const address = receiver.target?.address ?? '';
    receiver.set_target({ address });
    (receiver as unknown as LinkInternals).local.attach.max_message_size = maxMessageSizeBytes;
    if (address === cbsAddress) return void this.receiverRoles.set(receiver, { kind: 'cbs' });
    const resolved = this.o.registry.resolveAddress(address);
    if (!resolved) return this.refuse(receiver, 'amqp:not-found', this.notFound(address));
    if (!this.authorized(conn, address)) return this.refuse(receiver, 'amqp:unauthorized-access', this.unauthorized(address));
    if (resolved.management) return void this.receiverRoles.set(receiver, { kind: 'management', target: resolved });
    const { entity, subQueue } = resolved;
    if (entity.kind === 'subscription' || subQueue !== 'active') {
      return this.refuse(receiver, 'amqp:not-allowed', `Cannot send to '${address}'; send to a queue or topic.`);
    }
    this.receiverRoles.set(receiver, { kind: 'entity', entity });
  }

  private refuse(link: Sender | Receiver, condition: string, description: string): void {
    this.o.logger.warn('Service Bus emulator: link refused', { address: link.is_sender() ? link.source?.address : link.target?.address, condition, description });
    link.close({ condition, description });
  }

  private authorized(conn: Connection, address: string): boolean {
    const path = normalizePath(address).toLowerCase();
    for (const granted of this.state(conn).authorized) {
      if (granted === '' || path === granted || path.startsWith(`${granted}/`)) return true;
    }
    return false;
  }

  private consumerOf(ctx: EventContext): LinkConsumer | undefined {
    return ctx.sender ? this.connections.get(ctx.connection)?.consumers.get(ctx.sender)?.consumer : undefined;
  }

  private removeConsumer(conn: Connection, sender: Sender): void {
    const st = this.connections.get(conn);
    const entry = st?.consumers.get(sender);
    if (!st || !entry) return;
    entry.remove();
    st.consumers.delete(sender);
  }

  private removeClosedConsumers(conn: Connection): void {
    for (const sender of this.connections.get(conn)?.consumers.keys() ?? []) {
      if (!sender.is_open()) this.removeConsumer(conn, sender);
    }
  }

  private dropConnection(conn: Connection): void {
    const st = this.connections.get(conn);
    if (!st) return;
    for (const { remove } of st.consumers.values()) remove();
    this.connections.delete(conn);
  }

  // --- incoming messages ---------------------------------------------------------------------

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const delivery = ctx.delivery!;
    const role = this.receiverRoles.get(receiver);
    if (!role) return delivery.reject({ condition: 'amqp:not-allowed', description: 'This link does not accept messages.' });
    if (role.kind === 'entity') return this.onEntityMessage(role.entity, ctx.message as unknown, delivery);
    const request = ctx.message!;
    delivery.accept();
    if (role.kind === 'cbs') return this.reply(ctx.connection, request, this.putToken(ctx.connection, request));
    const response = handleManagementRequest(
      { store: this.o.store, target: role.target, now: this.o.now, enqueued: (keys) => keys.forEach((k) => this.o.hub.notify(k)) },
      request,
    );
    const props: Record<string, unknown> = { statusCode: response.statusCode, statusDescription: response.statusDescription };
    if (response.errorCondition) props.errorCondition = response.errorCondition;
    this.reply(ctx.connection, request, props, response.body);
  }

  private onEntityMessage(entity: SendableEntity, message: unknown, delivery: Delivery): void {
    let requests: EnqueueRequest[];
    try {
      if (delivery.format === batchMessageFormat) requests = unpackBatch(message as Buffer).map(toEnqueueRequest);
      else if (delivery.format === 0) requests = [toEnqueueRequest(rhea.message.encode(message))];
      else return delivery.reject({ condition: 'amqp:not-implemented', description: `Message format ${delivery.format} is not supported.` });
    } catch (err) {
      return delivery.reject({ condition: 'amqp:decode-error', description: `The message could not be decoded: ${errorText(err)}` });
    }
    this.pending.push({ entity, requests, delivery });
    this.flushTimer ??= setImmediate(() => this.flush());
  }

  /** Group commit: everything received in this event-loop turn in one transaction, then the acknowledgements. */
  private flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    let delivered: string[];
    try {
      delivered = this.o.store.atomically(() => batch.flatMap((p) => this.o.store.enqueue(p.entity, p.requests).flatMap((r) => r.deliveredTo)));
    } catch (err) {
      this.o.logger.error('Service Bus emulator: could not store sent messages', { error: errorText(err) });
      for (const p of batch) p.delivery.reject({ condition: 'amqp:internal-error', description: `The message could not be stored: ${errorText(err)}` });
      return;
    }
    for (const key of new Set(delivered)) this.o.hub.notify(key);
    for (const p of batch) {
      try {
        p.delivery.accept();
      } catch (err) {
        // The link went away after the message was stored; the sender will retry and duplicate detection absorbs it.
        this.o.logger.debug('Service Bus emulator: could not acknowledge a stored message', { error: errorText(err) });
      }
    }
  }

  private putToken(conn: Connection, request: Message): Record<string, unknown> {
    const status = (code: number, description: string) => ({ 'status-code': code, 'status-description': description });
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    if (props.operation !== 'put-token') return status(400, `Unsupported $cbs operation '${String(props.operation)}'.`);
    if (props.type !== sasTokenType) return status(401, `The Service Bus emulator accepts only SAS tokens (${sasTokenType}); got '${String(props.type)}'. Use a connection string.`);
    const check = verifySasToken(String(request.body ?? ''), this.o.sasKeyName, this.o.sasKey, this.o.now());
    if (!check.ok) return status(401, check.reason);
    const name = String(props.name ?? '');
    const claimed = normalizePath(name).toLowerCase();
    const granted = normalizePath(check.audience).toLowerCase();
    if (granted !== '' && claimed !== granted && !claimed.startsWith(`${granted}/`)) {
      return status(401, `InvalidAudience: the token's audience '${check.audience}' does not cover '${name}'.`);
    }
    if (claimed !== '' && !this.o.registry.resolveAddress(claimed)) return status(404, this.notFound(name));
    this.state(conn).authorized.add(claimed);
    return status(202, 'Accepted');
  }

  private reply(conn: Connection, request: Message, applicationProperties: Record<string, unknown>, body?: unknown): void {
    const replyTo = request.reply_to as string | undefined;
    const link = replyTo ? this.connections.get(conn)?.replyLinks.get(replyTo) : undefined;
    if (!link?.is_open()) {
      this.o.logger.warn('Service Bus emulator: no reply link for a request', { replyTo, operation: request.application_properties?.operation });
      return;
    }
    link.send({ correlation_id: request.message_id, to: replyTo, application_properties: applicationProperties, body });
  }

  // --- settlement of messages we delivered --------------------------------------------------

  private onOutcome(ctx: EventContext, outcome: OutcomeName): void {
    const consumer = this.consumerOf(ctx);
    const delivery = ctx.delivery!;
    if (!consumer || consumer.mode === 'receiveAndDelete' || delivery.settled) return;
    const token = deliveryTagToLockToken(delivery.tag);
    const state = delivery.remote_state as { error?: { condition?: string; info?: Record<string, unknown> }; undeliverable_here?: boolean } | undefined;
    if (!token) return delivery.update(true, outcomes.rejected({ error: lockLost }).described());
    if (outcome === 'modified' && state?.undeliverable_here) {
      // `undeliverable-here` is how the SDK defers a message.
      return delivery.update(true, outcomes.rejected({ error: { condition: 'amqp:not-implemented', description: 'The Service Bus emulator does not support deferring messages.' } }).described());
    }
    const { entity, subQueue } = consumer;
    const { store } = this.o;
    let result: SettleResult;
    if (outcome === 'accepted') result = store.complete(entity, subQueue, token);
    else if (outcome === 'rejected') {
      // Any rejection dead-letters; the SDK's deadLetterMessage() sends com.microsoft:dead-letter with the reason.
      const info = state?.error?.info ?? {};
      const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
      result = store.deadLetter(entity, subQueue, token, text(info.DeadLetterReason), text(info.DeadLetterErrorDescription));
    } else result = store.abandon(entity, subQueue, token);
    const settledAs = outcome === 'rejected' ? outcomes.rejected() : outcome === 'accepted' ? outcomes.accepted() : outcome === 'released' ? outcomes.released() : outcomes.modified({});
    delivery.update(true, (result === 'settled' ? settledAs : outcomes.rejected({ error: lockLost })).described());
    if (outcome !== 'accepted') this.o.hub.notify(entity.key);
  }

  private notFound(address: string): string {
    return `The messaging entity 'sb://${this.namespace}/${normalizePath(address)}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`;
  }

  private unauthorized(address: string): string {
    return `Unauthorized access to '${address}': put a valid SAS token for it on $cbs before attaching.`;
  }
}

/** An AMQP link that receives from an entity, fed by the delivery hub within its link credit. */
class LinkConsumer implements Consumer {
  private drainRequested = false;

  constructor(
    private readonly sender: Sender,
    readonly entity: ReceivableEntity,
    readonly subQueue: SubQueue,
    readonly mode: ReceiveMode,
    private readonly hub: DeliveryHub,
    private readonly now: () => number,
  ) {}

  capacity(): number {
    return this.sender.is_open() ? Math.max(0, (this.sender as unknown as LinkInternals).credit) : 0;
  }

  deliver(messages: StoredMessage[]): void {
    const now = this.now();
    for (const m of messages) this.sender.send(toWireMessage(m, now), lockTokenToDeliveryTag(m.lockToken ?? randomUUID()));
  }

  wake(): void {
    this.hub.notify(this.entity.key);
  }

  /** The receiver asked to drain: send what is available, then give the rest of the credit back. */
  requestDrain(): void {
    this.drainRequested = true;
    this.wake();
  }

  pumped(): void {
    if (!this.drainRequested) return;
    this.drainRequested = false;
    if (!this.sender.is_open()) return;
    this.sender.set_drained(true);
    // set_drained only marks the flow as due; make rhea write it now.
    (this.sender as unknown as LinkInternals).connection._register();
  }
}

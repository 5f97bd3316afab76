// Moves messages from the store to whoever is receiving from an entity: AMQP receiver links and
// in-process trigger listeners alike. Work happens in one pump per event-loop turn (after rhea
// has written the previous turn's transfers, so link credit is current), and a timer per entity
// wakes the pump when a scheduled message becomes due or a lock expires.
import type { BusStore, ReceiveMode, StoredMessage } from './bus-store';
import type { ReceivableEntity, SubQueue } from './config';
import type { EmulatorLogger } from './logger';

export interface Consumer {
  readonly entity: ReceivableEntity;
  readonly subQueue: SubQueue;
  readonly mode: ReceiveMode;
  /** How many more messages it can take right now. */
  capacity(): number;
  deliver(messages: StoredMessage[]): void;
  /** Called after every pump that considered this consumer (e.g. to answer a drain request). */
  pumped?(): void;
}

const maxTimerMs = 2 ** 31 - 1;

export class DeliveryHub {
  private readonly consumers = new Map<string, Consumer[]>();
  private readonly dirty = new Set<string>();
  private readonly wakeTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private scheduled?: NodeJS.Immediate;
  private closed = false;

  constructor(
    private readonly store: BusStore,
    private readonly logger: EmulatorLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Registers a consumer; returns the function that unregisters it. */
  add(consumer: Consumer): () => void {
    const key = consumer.entity.key;
    this.consumers.set(key, [...(this.consumers.get(key) ?? []), consumer]);
    this.notify(key);
    return () => {
      const rest = (this.consumers.get(key) ?? []).filter((c) => c !== consumer);
      if (rest.length) this.consumers.set(key, rest);
      else this.consumers.delete(key);
    };
  }

  /** Something changed for this entity (new message, settlement, more credit): pump soon. */
  notify(entityKey: string): void {
    if (this.closed) return;
    this.dirty.add(entityKey);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.pump();
    });
  }

  close(): void {
    this.closed = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    for (const { timer } of this.wakeTimers.values()) clearTimeout(timer);
    this.wakeTimers.clear();
    this.consumers.clear();
  }

  private pump(): void {
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const consumers = this.consumers.get(key);
      if (!consumers) continue;
      // Rotate so that competing consumers take turns at the head of the queue.
      if (consumers.length > 1) consumers.push(consumers.shift()!);
      for (const c of [...consumers]) {
        try {
          const n = c.capacity();
          if (n > 0) {
            const messages = this.store.receive(c.entity, c.subQueue, n, c.mode);
            if (messages.length) c.deliver(messages);
          }
          c.pumped?.();
        } catch (err) {
          this.logger.error('Service Bus emulator: delivery failed', { entity: c.entity.path, error: err instanceof Error ? err.message : String(err) });
        }
      }
      this.scheduleWake(key);
    }
  }

  private scheduleWake(key: string): void {
    const consumers = this.consumers.get(key);
    if (!consumers) return;
    const entity = consumers[0].entity;
    let at: number | undefined;
    try {
      const times = [...new Set(consumers.map((c) => c.subQueue))].map((q) => this.store.nextWakeAt(entity, q));
      const due = times.filter((t): t is number => t !== undefined);
      at = due.length ? Math.min(...due) : undefined;
    } catch (err) {
      this.logger.error('Service Bus emulator: cannot read the next wake-up time', { entity: entity.path, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const current = this.wakeTimers.get(key);
    if (at === undefined || (current && current.at <= at)) return;
    if (current) clearTimeout(current.timer);
    // +1 ms: the store compares with `<=`, and timers may fire on the millisecond they are due.
    const timer = setTimeout(() => {
      this.wakeTimers.delete(key);
      this.notify(key);
    }, Math.min(maxTimerMs, Math.max(0, at - this.now()) + 1));
    this.wakeTimers.set(key, { at, timer });
  }
}

// Entity configuration of the emulated namespace: the zod schema that validates it and the
// resolved, defaulted model the rest of the emulator works with. Property names follow the
// Service Bus administration API (`maxDeliveryCount`, `lockDuration`, ...) with explicit units.
import { z } from 'zod';

// Azure: letters, digits, '.', '-', '_' (and '/' in queue/topic names), starting and ending
// with a letter or digit.
const entityName = z
  .string()
  .max(260)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._\-/]*[A-Za-z0-9])?$/, 'must start and end with a letter or digit and contain only letters, digits, ".", "-", "_" or "/"')
  .refine((n) => !/\/\/|\$|\/subscriptions\//i.test(n), 'must not contain "//", "$" or "/Subscriptions/"');
const subscriptionName = z
  .string()
  .max(50)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'must start and end with a letter or digit and contain only letters, digits, ".", "-" or "_"');

const seconds = (max: number) => z.number().positive().max(max);
const propertyValue = z.union([z.string(), z.number(), z.boolean()]);

/** A correlation filter: every property given must equal the message's (case-sensitive), as in Service Bus. */
const correlationFilter = z
  .strictObject({
    correlationId: z.string().optional(),
    messageId: z.string().optional(),
    to: z.string().optional(),
    replyTo: z.string().optional(),
    subject: z.string().optional(),
    sessionId: z.string().optional(),
    replyToSessionId: z.string().optional(),
    contentType: z.string().optional(),
    applicationProperties: z.record(z.string(), propertyValue).optional(),
  })
  .refine((f) => Object.values(f).some((v) => v !== undefined), 'a correlation filter needs at least one property');

const messageOptions = {
  /** Seconds; Azure's default is "forever" (TimeSpan.MaxValue). */
  defaultMessageTimeToLiveSeconds: seconds(10 * 365 * 24 * 3600).optional(),
  deadLetteringOnMessageExpiration: z.boolean().optional(),
};
const receiveOptions = {
  maxDeliveryCount: z.number().int().min(1).max(2000).optional(),
  /** Azure allows 5 s to 5 min; shorter values are accepted so tests need not wait. */
  lockDurationSeconds: seconds(300).optional(),
};
const sendOptions = {
  /** 0 turns duplicate detection off. */
  duplicateDetectionWindowSeconds: z.number().min(0).max(7 * 24 * 3600).optional(),
};

const subscriptionSchema = z.strictObject({
  name: subscriptionName,
  ...receiveOptions,
  ...messageOptions,
  /** Absent or "all": every message (the default TrueFilter rule). */
  filter: z.union([z.literal('all'), correlationFilter]).optional(),
});

const queueSchema = z.strictObject({ name: entityName, ...receiveOptions, ...sendOptions, ...messageOptions });

const topicSchema = z.strictObject({
  name: entityName,
  ...sendOptions,
  defaultMessageTimeToLiveSeconds: messageOptions.defaultMessageTimeToLiveSeconds,
  subscriptions: z.array(subscriptionSchema).default([]),
});

export const entityConfigSchema = z
  .strictObject({
    queues: z.array(queueSchema).default([]),
    topics: z.array(topicSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    const claim = (name: string, path: (string | number)[]) => {
      const key = name.toLowerCase();
      const previous = seen.get(key);
      if (previous) ctx.addIssue({ code: 'custom', path, message: `"${name}" is already used by ${previous} (entity names are case-insensitive)` });
      else seen.set(key, path.join('.'));
    };
    config.queues.forEach((q, i) => claim(q.name, ['queues', i, 'name']));
    config.topics.forEach((t, i) => {
      claim(t.name, ['topics', i, 'name']);
      const subs = new Set<string>();
      t.subscriptions.forEach((s, j) => {
        if (subs.has(s.name.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['topics', i, 'subscriptions', j, 'name'], message: `subscription "${s.name}" appears twice in topic "${t.name}"` });
        subs.add(s.name.toLowerCase());
      });
    });
  });

export type EntityConfig = z.output<typeof entityConfigSchema>;
export type EntityConfigInput = z.input<typeof entityConfigSchema>;
export type QueueConfig = EntityConfig['queues'][number];
export type TopicConfig = EntityConfig['topics'][number];
export type SubscriptionConfig = TopicConfig['subscriptions'][number];
export type CorrelationFilter = Exclude<NonNullable<SubscriptionConfig['filter']>, 'all'>;

/** Validates an entity configuration (e.g. parsed JSON); throws an Error listing every problem. */
export function parseEntityConfig(input: unknown): EntityConfig {
  const result = entityConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  throw new Error(`Invalid Service Bus entity configuration:\n  - ${problems.join('\n  - ')}`);
}

// Azure defaults (Standard tier).
export const defaults = {
  maxDeliveryCount: 10,
  lockDurationSeconds: 60,
  duplicateDetectionWindowSeconds: 600,
} as const;

export type SubQueue = 'active' | 'deadLetter';

interface EntityBase {
  /** Path as configured, e.g. "orders" or "order-events/Subscriptions/email". */
  path: string;
  /** Lower-cased path: Service Bus entity names are case-insensitive. */
  key: string;
}

/** A queue or subscription: something messages are received from. */
export interface ReceivableEntity extends EntityBase {
  kind: 'queue' | 'subscription';
  maxDeliveryCount: number;
  lockDurationMs: number;
  defaultTimeToLiveMs?: number;
  deadLetteringOnMessageExpiration: boolean;
}

export interface QueueEntity extends ReceivableEntity {
  kind: 'queue';
  duplicateDetectionWindowMs: number;
}

export interface SubscriptionEntity extends ReceivableEntity {
  kind: 'subscription';
  filter?: CorrelationFilter;
}

export interface TopicEntity extends EntityBase {
  kind: 'topic';
  duplicateDetectionWindowMs: number;
  defaultTimeToLiveMs?: number;
  subscriptions: SubscriptionEntity[];
}

/** Something messages are sent to. */
export type SendableEntity = QueueEntity | TopicEntity;
export type Entity = SendableEntity | SubscriptionEntity;

/** An AMQP address resolved to an entity: `<entity>[/$DeadLetterQueue][/$management]`. */
export interface ResolvedAddress {
  entity: Entity;
  subQueue: SubQueue;
  management: boolean;
}

const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

/** The namespace's entities, looked up case-insensitively by path or AMQP address. */
export class EntityRegistry {
  private readonly byKey = new Map<string, Entity>();
  readonly queues: QueueEntity[];
  readonly topics: TopicEntity[];

  constructor(config: EntityConfig) {
    this.queues = config.queues.map((q) => ({
      kind: 'queue',
      path: q.name,
      key: q.name.toLowerCase(),
      maxDeliveryCount: q.maxDeliveryCount ?? defaults.maxDeliveryCount,
      lockDurationMs: ms(q.lockDurationSeconds ?? defaults.lockDurationSeconds)!,
      duplicateDetectionWindowMs: ms(q.duplicateDetectionWindowSeconds ?? defaults.duplicateDetectionWindowSeconds)!,
      defaultTimeToLiveMs: ms(q.defaultMessageTimeToLiveSeconds),
      deadLetteringOnMessageExpiration: q.deadLetteringOnMessageExpiration ?? false,
    }));
    this.topics = config.topics.map((t) => ({
      kind: 'topic',
      path: t.name,
      key: t.name.toLowerCase(),
      duplicateDetectionWindowMs: ms(t.duplicateDetectionWindowSeconds ?? defaults.duplicateDetectionWindowSeconds)!,
      defaultTimeToLiveMs: ms(t.defaultMessageTimeToLiveSeconds),
      subscriptions: t.subscriptions.map((s) => {
        const path = `${t.name}/Subscriptions/${s.name}`;
        return {
          kind: 'subscription',
          path,
          key: path.toLowerCase(),
          maxDeliveryCount: s.maxDeliveryCount ?? defaults.maxDeliveryCount,
          lockDurationMs: ms(s.lockDurationSeconds ?? defaults.lockDurationSeconds)!,
          // A subscription inherits the topic's TTL unless it sets a shorter one, as in Azure.
          defaultTimeToLiveMs: minDefined(ms(s.defaultMessageTimeToLiveSeconds), ms(t.defaultMessageTimeToLiveSeconds)),
          deadLetteringOnMessageExpiration: s.deadLetteringOnMessageExpiration ?? false,
          filter: s.filter === 'all' ? undefined : s.filter,
        };
      }),
    }));
    for (const e of [...this.queues, ...this.topics, ...this.topics.flatMap((t) => t.subscriptions)]) this.byKey.set(e.key, e);
  }

  /** The entity with this path ("orders", "Order-Events/subscriptions/Email"), if configured. */
  get(path: string): Entity | undefined {
    return this.byKey.get(normalizePath(path).toLowerCase());
  }

  all(): Entity[] {
    return [...this.byKey.values()];
  }

  receivables(): ReceivableEntity[] {
    return this.all().filter((e): e is QueueEntity | SubscriptionEntity => e.kind !== 'topic');
  }

  /** Resolves an AMQP link address or CBS audience (with or without `sb://host/`). */
  resolveAddress(address: string): ResolvedAddress | undefined {
    let path = normalizePath(address);
    let management = false;
    let subQueue: SubQueue = 'active';
    if (/\/\$management$/i.test(path)) {
      management = true;
      path = path.slice(0, -'/$management'.length);
    }
    if (/\/\$deadletterqueue$/i.test(path)) {
      subQueue = 'deadLetter';
      path = path.slice(0, -'/$DeadLetterQueue'.length);
    }
    const entity = this.byKey.get(path.toLowerCase());
    return entity ? { entity, subQueue, management } : undefined;
  }
}

/** Strips a scheme and host ("sb://ns.servicebus.windows.net/") and surrounding slashes. */
export function normalizePath(address: string): string {
  return address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/^\/+|\/+$/g, '');
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

// Conversions between AMQP messages (as rhea encodes/decodes them) and what the store keeps,
// following the Service Bus wire conventions that the SDKs decode: broker properties travel as
// `x-opt-*` message annotations, the delivery count in the header, dead-letter reason and
// description as application properties, and lock tokens as delivery tags in .NET GUID byte order.
import { randomUUID } from 'node:crypto';
import rhea from 'rhea';
import type { Message } from 'rhea';
import type { EnqueueRequest, FilterFields, StoredMessage } from './bus-store';

export const annotation = {
  sequenceNumber: 'x-opt-sequence-number',
  enqueuedTime: 'x-opt-enqueued-time',
  lockedUntil: 'x-opt-locked-until',
  scheduledEnqueueTime: 'x-opt-scheduled-enqueue-time',
  messageState: 'x-opt-message-state',
} as const;

/** AMQP message format of a Service Bus batch: the body's data sections are encoded messages. */
export const batchMessageFormat = 0x80013700;

const dataSection = 0x75;
const scheduledState = 2;
const maxUint = 0xffffffff; // the header's ttl field is a uint

/** rhea's decode, typed as the Message its links produce. */
function decode(encoded: Buffer): Message {
  return rhea.message.decode(encoded) as unknown as Message;
}

/** .NET `Guid.ToByteArray()` order, which Service Bus uses for lock tokens in delivery tags. */
function swapGuidBytes(b: Buffer): Buffer {
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8, 16)]);
}

export function lockTokenToDeliveryTag(lockToken: string): Buffer {
  return swapGuidBytes(Buffer.from(rhea.string_to_uuid(lockToken)));
}

export function deliveryTagToLockToken(tag: Buffer | string): string | undefined {
  const bytes = typeof tag === 'string' ? Buffer.from(tag) : tag;
  return bytes.length === 16 ? rhea.uuid_to_string(swapGuidBytes(bytes)) : undefined;
}

/** Lock tokens in management requests are AMQP uuids in standard byte order. */
export function uuidToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (Buffer.isBuffer(value) && value.length === 16) return rhea.uuid_to_string(value);
  return undefined;
}

/** The messages inside a batch envelope (format 0x80013700), still encoded. */
export function unpackBatch(envelope: Buffer): Buffer[] {
  const body = decode(envelope).body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  if (!body || body.typecode !== dataSection) throw new Error('a batch message must carry its messages as data sections');
  const parts = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return parts.map((p) => Buffer.from(p));
}

/**
 * What the store needs from a message a client sent; its encoding is kept as the payload. Like the
 * service, the broker assigns a message id (a GUID in "N" format) when the sender set none — the
 * SDK's lock renewer relies on every received message having one.
 */
export function toEnqueueRequest(encoded: Buffer): EnqueueRequest {
  const msg = decode(encoded);
  let payload = encoded;
  if (msg.message_id === undefined || msg.message_id === null) {
    msg.message_id = randomUUID().replace(/-/g, '');
    payload = rhea.message.encode(msg);
  }
  const scheduled = msg.message_annotations?.[annotation.scheduledEnqueueTime] as Date | number | undefined;
  return {
    payload,
    fields: filterFields(msg),
    timeToLiveMs: typeof msg.ttl === 'number' && msg.ttl > 0 ? msg.ttl : undefined,
    scheduledEnqueueTimeMs: scheduled === undefined ? undefined : new Date(scheduled).getTime(),
  };
}

function filterFields(msg: Message): FilterFields {
  const str = (v: unknown) => (v === undefined || v === null ? undefined : Buffer.isBuffer(v) ? rhea.uuid_to_string(v) : String(v));
  return {
    messageId: str(msg.message_id),
    correlationId: str(msg.correlation_id),
    to: str(msg.to),
    replyTo: str(msg.reply_to),
    subject: str(msg.subject),
    sessionId: str(msg.group_id),
    replyToSessionId: str(msg.reply_to_group_id),
    contentType: str(msg.content_type),
    applicationProperties: msg.application_properties as Record<string, unknown> | undefined,
  };
}

/** A stored message as the service delivers it (to a receiver, or in a peek response). */
export function toWireMessage(stored: StoredMessage, now: number): Message {
  const msg = decode(stored.payload);
  msg.delivery_count = stored.deliveryCount;
  // The SDKs derive expiresAtUtc from the enqueued time plus the header TTL.
  const ttl = stored.expiresAt === undefined ? undefined : Math.max(0, stored.expiresAt - stored.visibleAt);
  if (ttl !== undefined && ttl <= maxUint) msg.ttl = ttl;
  msg.message_annotations = {
    ...msg.message_annotations,
    [annotation.sequenceNumber]: rhea.types.wrap_long(stored.sequenceNumber),
    [annotation.enqueuedTime]: new Date(stored.visibleAt),
    ...(stored.lockedUntil !== undefined && stored.lockedUntil > now ? { [annotation.lockedUntil]: new Date(stored.lockedUntil) } : {}),
    ...(stored.visibleAt > now ? { [annotation.messageState]: rhea.types.wrap_int(scheduledState) } : {}),
  };
  if (stored.subQueue === 'deadLetter') {
    msg.application_properties = {
      ...msg.application_properties,
      ...(stored.deadLetterReason !== undefined ? { DeadLetterReason: stored.deadLetterReason } : {}),
      ...(stored.deadLetterDescription !== undefined ? { DeadLetterErrorDescription: stored.deadLetterDescription } : {}),
    };
  }
  return msg;
}

/** The standard properties a sender can set, shared by both directions. */
interface MessageProperties {
  messageId?: string;
  correlationId?: string;
  contentType?: string;
  subject?: string;
  to?: string;
  replyTo?: string;
}

/** A received message decoded for in-process consumers (trigger dispatch, inspection). */
export interface ReceivedMessage extends MessageProperties {
  body: Buffer;
  sessionId?: string;
  replyToSessionId?: string;
  applicationProperties: Record<string, unknown>;
  sequenceNumber: number;
  enqueuedTimeUtc: Date;
  expiresAtUtc?: Date;
  scheduledEnqueueTimeUtc?: Date;
  timeToLiveMs?: number;
  /** 1-based, as the Functions host and the .NET SDK report it. */
  deliveryCount: number;
  lockToken?: string;
  lockedUntilUtc?: Date;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export function toReceivedMessage(stored: StoredMessage): ReceivedMessage {
  const msg = decode(stored.payload);
  const fields = filterFields(msg);
  const scheduled = msg.message_annotations?.[annotation.scheduledEnqueueTime] as Date | number | undefined;
  return {
    body: bodyBytes(msg.body),
    ...withoutUndefined({ ...fields, applicationProperties: undefined }),
    applicationProperties: { ...(msg.application_properties as Record<string, unknown> | undefined) },
    sequenceNumber: stored.sequenceNumber,
    enqueuedTimeUtc: new Date(stored.visibleAt),
    ...(stored.expiresAt !== undefined ? { expiresAtUtc: new Date(stored.expiresAt), timeToLiveMs: stored.expiresAt - stored.visibleAt } : {}),
    ...(scheduled !== undefined ? { scheduledEnqueueTimeUtc: new Date(scheduled) } : {}),
    deliveryCount: stored.deliveryCount + 1,
    ...(stored.lockToken !== undefined ? { lockToken: stored.lockToken, lockedUntilUtc: new Date(stored.lockedUntil!) } : {}),
    ...(stored.deadLetterReason !== undefined ? { deadLetterReason: stored.deadLetterReason } : {}),
    ...(stored.deadLetterDescription !== undefined ? { deadLetterErrorDescription: stored.deadLetterDescription } : {}),
  };
}

/** A message to send from inside the process (Functions output bindings). */
export interface OutgoingMessage extends MessageProperties {
  body: Buffer | string;
  applicationProperties?: Record<string, string | number | boolean>;
  timeToLiveMs?: number;
  scheduledEnqueueTimeUtc?: Date;
}

/** Encodes an in-process message the way the SDK would send it (body as one data section). */
export function encodeOutgoing(m: OutgoingMessage): Buffer {
  const msg: Record<string, unknown> = {
    body: rhea.message.data_section(typeof m.body === 'string' ? Buffer.from(m.body, 'utf8') : m.body),
    durable: true,
  };
  if (m.messageId !== undefined) msg.message_id = m.messageId;
  if (m.correlationId !== undefined) msg.correlation_id = m.correlationId;
  if (m.contentType !== undefined) msg.content_type = m.contentType;
  if (m.subject !== undefined) msg.subject = m.subject;
  if (m.to !== undefined) msg.to = m.to;
  if (m.replyTo !== undefined) msg.reply_to = m.replyTo;
  if (m.applicationProperties) msg.application_properties = m.applicationProperties;
  if (m.timeToLiveMs !== undefined) msg.ttl = m.timeToLiveMs;
  if (m.scheduledEnqueueTimeUtc) msg.message_annotations = { [annotation.scheduledEnqueueTime]: m.scheduledEnqueueTimeUtc };
  return rhea.message.encode(msg);
}

/** The body as bytes: data sections concatenated; an AMQP value/sequence body as its JSON text. */
function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const section = body as { typecode?: number; content?: unknown; multiple?: boolean };
  if (section.typecode === dataSection) {
    const parts = section.multiple ? (section.content as Buffer[]) : [section.content as Buffer];
    return Buffer.concat(parts.map((p) => Buffer.from(p)));
  }
  const value = section.typecode !== undefined ? section.content : body;
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

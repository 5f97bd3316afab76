// W3C Trace Context as the Functions host uses it: every invocation is a span whose traceparent
// the worker receives, parented on the caller's (an HTTP `traceparent` header, a Service Bus
// message's `Diagnostic-Id`, the orchestration that scheduled an activity).
import { createHash, randomBytes } from 'node:crypto';

export interface SpanRef {
  traceId: string;
  spanId: string;
  /** The span this one is a child of; none for a new trace. */
  parentId?: string;
}

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const allZero = /^0+$/;

/** The trace and span a valid version-00 traceparent names, else undefined (as the spec says to ignore it). */
export function parseTraceparent(value: string | undefined | null): { traceId: string; spanId: string } | undefined {
  const m = traceparentPattern.exec((value ?? '').trim().toLowerCase());
  if (!m || allZero.test(m[1]) || allZero.test(m[2])) return undefined;
  return { traceId: m[1], spanId: m[2] };
}

export const formatTraceparent = (s: SpanRef): string => `00-${s.traceId}-${s.spanId}-01`;

/** A new span under `parent` (a traceparent), or the root of a new trace. */
export function childSpan(parent: string | undefined | null): SpanRef {
  const p = parseTraceparent(parent);
  return { traceId: p?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), parentId: p?.spanId };
}

/** Ids that every replay of the same orchestration execution agrees on. */
export function stableId(seed: string, bytes: 8 | 16): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, bytes * 2);
}

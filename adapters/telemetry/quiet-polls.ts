// Dependencies the app does not send one by one: ACS Email's status polls (GET
// …/emails/operations/{id}), two to a dozen per email while the send is pending. The send itself
// (POST /emails:send), the email function's request and its "email … sent" log already say what
// happened; a failed poll fails the invocation, which is reported. The standard dependency metrics
// still count every poll: they are recorded from all spans, sampled or not.
// Marking the span unsampled when it starts is how Azure Monitor's OpenTelemetry docs filter
// spans: the batch processor then never exports it.
import { SpanKind, TraceFlags } from '@opentelemetry/api';
import type { Attributes, Context, SpanContext } from '@opentelemetry/api';

/** What a span processor's onStart sees of the SDK's span. */
interface StartedSpan {
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  spanContext(): SpanContext;
}

const statusPoll = /\/emails\/operations\/[^/?]+(\?|$)/;

function isStatusPoll(span: StartedSpan): boolean {
  if (span.kind !== SpanKind.CLIENT) return false;
  const a = span.attributes;
  const method = a['http.method'] ?? a['http.request.method'];
  const url = a['http.url'] ?? a['url.full'];
  return method === 'GET' && typeof url === 'string' && statusPoll.test(url);
}

export const quietPolls = {
  onStart(span: StartedSpan, _parentContext: Context): void {
    if (isStatusPoll(span)) span.spanContext().traceFlags &= ~TraceFlags.SAMPLED;
  },
  onEnd(): void {},
  forceFlush: (): Promise<void> => Promise.resolve(),
  shutdown: (): Promise<void> => Promise.resolve(),
};

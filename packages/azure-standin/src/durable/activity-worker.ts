// Runs one activity work item and reports its result to the orchestration's inbox. The work item
// is deleted in the same transaction that records the result, so a crash in between re-runs the
// activity (at-least-once, as on Azure) but never loses its result.
import type { FunctionIndex } from '../host/function-index';
import { FunctionInvocationError, Invoker } from '../host/invoker';
import type { RpcTypedData } from '../core/rpc-types';
import type { DurableEngine } from './engine';
import { event, EventType, HistoryEvent } from './history';
import { httpActivityName } from './replay';
import type { ActivityRow } from './store';
import { childSpan } from '../telemetry/trace-context';

export class ActivityWorker {
  executed = 0;

  constructor(
    private readonly engine: DurableEngine,
    private readonly index: FunctionIndex,
    private readonly invoker: Invoker,
  ) {}

  async run(row: ActivityRow): Promise<void> {
    const outcome = await this.execute(row);
    const ts = new Date().toISOString();
    const e: HistoryEvent = 'result' in outcome
      ? event(EventType.TaskCompleted, ts, { TaskScheduledId: row.taskId, Result: outcome.result })
      : event(EventType.TaskFailed, ts, { TaskScheduledId: row.taskId, Reason: outcome.reason, Details: outcome.details, FailureDetails: null });
    await this.engine.tx((fx) => {
      if (!this.engine.store.deleteActivity(row.id)) return; // already reported (duplicate work item)
      this.engine.send(fx, { instanceId: row.instanceId, executionId: row.executionId, body: { kind: 'event', event: e }, visibleAt: 0 });
    });
    this.executed++;
  }

  private async execute(row: ActivityRow): Promise<{ result: string | null } | { reason: string; details: string }> {
    if (row.name === httpActivityName) return this.callHttp(row);
    const activity = this.index.activities.get(row.name.toLowerCase());
    if (!activity) {
      return { reason: `The function '${row.name}' doesn't exist, is disabled, or is not an activity function.`, details: '' };
    }
    try {
      const response = await this.invoker.invoke(activity.fn, {
        inputData: [{ name: activity.triggerName, data: activityInput(row.input) }],
        logContext: { instanceId: row.instanceId, taskId: row.taskId },
        reason: 'ActivityTrigger',
        span: childSpan(row.traceParent),
      });
      return { result: resultText(response.returnValue) };
    } catch (err) {
      if (!(err instanceof FunctionInvocationError)) throw err;
      return { reason: `Activity function '${row.name}' failed: ${err.message}`, details: err.stackTrace ?? '' };
    }
  }

  /** The extension's built-in activity behind `context.df.callHttp`. */
  private async callHttp(row: ActivityRow): Promise<{ result: string | null } | { reason: string; details: string }> {
    const req = JSON.parse(row.input ?? '{}') as { method?: string; uri?: string; content?: string; headers?: Record<string, string> };
    try {
      const res = await fetch(String(req.uri), { method: req.method ?? 'GET', headers: req.headers, body: req.content ?? undefined });
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      return { result: JSON.stringify({ statusCode: res.status, headers, content: await res.text() }) };
    } catch (err) {
      return { reason: `Activity function '${httpActivityName}' failed: ${(err as Error).message}`, details: '' };
    }
  }
}

/** durable-functions pre-stringifies string inputs; the host passes the value as `string` data. */
function activityInput(text: string | null): RpcTypedData {
  if (text === null) return { json: 'null' };
  const value: unknown = JSON.parse(text);
  return { string: typeof value === 'string' ? value : text };
}

function resultText(value: RpcTypedData | null | undefined): string | null {
  if (!value) return null;
  if (value.json !== undefined) return value.json;
  if (value.string !== undefined) return JSON.stringify(value.string);
  if (value.int !== undefined) return String(value.int);
  if (value.double !== undefined) return String(value.double);
  if (value.bytes !== undefined) return JSON.stringify(Buffer.from(value.bytes).toString('base64'));
  return null;
}

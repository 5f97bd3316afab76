// Runs one invocation exactly as the Node worker does: the programming model converts the RPC
// request into handler arguments, pre/post invocation hooks run around the handler, and the
// model converts the result back into an RPC response.
import { randomUUID } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import type { FunctionRegistry, HookCallback, RegisteredFunction } from './core-api';
import type { Logger } from './logger';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcParameterBinding, RpcRetryContext, RpcTypedData } from './rpc-types';
import { childSpan, formatTraceparent, SpanRef } from '../telemetry/trace-context';
import type { TelemetryItem } from '../telemetry/local-telemetry';

export interface InvocationInput {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  /** This invocation's span; a new trace when the trigger carries none. */
  span?: SpanRef;
  retryContext?: RpcRetryContext;
  /** Shown in the log line, e.g. the orchestration instance id. */
  logContext?: Record<string, unknown>;
  reason?: string;
}

export class FunctionInvocationError extends Error {
  constructor(message: string, readonly stackTrace: string | undefined, readonly original: unknown) {
    super(message);
  }
}

/** Host-side bindings: inputs the host supplies (durable client) and outputs it delivers (Service Bus). */
export interface BindingProviders {
  extraInputs(fn: RegisteredFunction): RpcParameterBinding[];
  deliverOutputs(fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void>;
}

export class Invoker {
  bindings: BindingProviders = { extraInputs: () => [], deliverOutputs: async () => {} };
  /** Receives one request item per invocation, as the Functions host reports to Application Insights. */
  telemetry: (item: TelemetryItem) => void = () => {};

  /**
   * The worker gets each invocation over gRPC with no ambient async context. Invocations here run
   * in this scope, made before any request, rather than in the caller's (an HTTP request the app's
   * instrumentation chose not to trace would otherwise suppress tracing of the whole invocation).
   */
  private readonly scope = new AsyncResource('FunctionInvocation');

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly logger: Logger,
  ) {}

  invoke(fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse> {
    return this.scope.runInAsyncScope(() => this.run(fn, input));
  }

  private async run(fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse> {
    const model = this.registry.programmingModel;
    if (!model) throw new Error('no programming model registered: the app did not load @azure/functions');
    const invocationId = randomUUID();
    const name = fn.metadata.name;
    const started = process.hrtime.bigint();
    const startedAt = new Date().toISOString();
    const span = input.span ?? childSpan(undefined);
    const request: RpcInvocationRequest = {
      invocationId,
      functionId: fn.metadata.functionId ?? name,
      inputData: [...input.inputData, ...this.bindings.extraInputs(fn)],
      triggerMetadata: input.triggerMetadata ?? {},
      traceContext: { traceParent: formatTraceparent(span), traceState: undefined, attributes: {} },
      retryContext: input.retryContext,
    };
    const coreCtx = {
      invocationId,
      request,
      metadata: fn.metadata,
      state: undefined as string | undefined,
      log: (level: string, category: string, message: string) => {
        const lvl = level === 'information' || level === 'warning' || level === 'error' || level === 'debug' || level === 'trace' || level === 'critical' ? level : 'information';
        this.logger.log(lvl, `${category === 'system' ? '[system] ' : ''}${name}: ${message}`, input.logContext);
      },
    };
    this.logger.debug(`Executing 'Functions.${name}' (Reason='${input.reason ?? 'trigger'}', Id=${invocationId})`, input.logContext);
    const invocationModel = model.getInvocationModel(coreCtx);
    const { context, inputs: initialInputs } = await invocationModel.getArguments();
    const hookData: Record<string, unknown> = {};
    const pre = { hookData, invocationContext: context, inputs: initialInputs, functionCallback: fn.callback };
    coreCtx.state = 'preInvocationHooks';
    await this.runHooks('preInvocation', pre);
    let result: unknown;
    let error: unknown;
    coreCtx.state = 'invocation';
    try {
      result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback as never);
    } catch (err) {
      error = err;
    }
    coreCtx.state = 'postInvocationHooks';
    const post = { hookData, invocationContext: context, inputs: pre.inputs, result, error };
    await this.runHooks('postInvocation', post);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const report = (success: boolean, resultCode: string) =>
      this.telemetry({
        kind: 'request', source: 'host', time: startedAt, operationId: span.traceId, id: span.spanId, parentId: span.parentId,
        name, durationMs: ms, success, resultCode, properties: { InvocationId: invocationId, TriggerReason: input.reason ?? 'trigger', ...stringProps(input.logContext) },
      });
    if (post.error !== undefined && post.error !== null) {
      const err = post.error instanceof Error ? post.error : new Error(String(post.error));
      this.logger.log('warning', `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${ms.toFixed(1)}ms)`, { ...input.logContext, error: firstLine(err.message), op: span.traceId });
      report(false, '500');
      throw new FunctionInvocationError(err.message, err.stack, post.error);
    }
    this.logger.info(`Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${ms.toFixed(1)}ms)`, { ...input.logContext, op: span.traceId });
    coreCtx.state = undefined;
    const response = await invocationModel.getResponse(context, post.result);
    try {
      await this.bindings.deliverOutputs(fn, response);
    } catch (err) {
      report(false, '500');
      // As on Azure, an output binding that cannot be delivered fails the invocation.
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.warn(`Output binding of 'Functions.${name}' failed (Id=${invocationId})`, { ...input.logContext, error: e.message });
      throw new FunctionInvocationError(`Output binding failed: ${e.message}`, e.stack, err);
    }
    const status = response.returnValue?.http?.statusCode;
    report(status === undefined || Number(status) < 500, status ?? '0');
    return response;
  }

  private async runHooks(name: 'preInvocation' | 'postInvocation', ctx: Record<string, unknown>): Promise<void> {
    const hooks: Set<HookCallback> | undefined = this.registry.hooks.get(name);
    if (!hooks) return;
    for (const hook of [...hooks]) await hook(ctx);
  }
}

function stringProps(fields: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

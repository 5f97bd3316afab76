// Runs one invocation exactly as the Node worker does: the programming model converts the RPC
// request into handler arguments, pre/post invocation hooks run around the handler, and the
// model converts the result back into an RPC response.
import { randomUUID } from 'node:crypto';
import { AsyncResource } from 'node:async_hooks';
import { readOnlyContext } from './core-api';
import type { FunctionCallback, FunctionRegistry, InvocationModel, RegisteredFunction } from './core-api';
import type { Logger } from '../core/logger';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcParameterBinding, RpcRetryContext, RpcTypedData } from '../core/rpc-types';
import { childSpan, formatTraceparent, SpanRef } from '../telemetry/trace-context';
import type { TelemetryItem } from '../telemetry/local-telemetry';

export interface InvocationInput {
  /** Set by a caller that must know it before the worker does (the HTTP streaming proxy). */
  invocationId?: string;
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

/**
 * Host-side bindings: inputs the host supplies (durable client, blobs) and outputs it delivers
 * (Service Bus, blobs); both may depend on the trigger's data (binding expressions).
 */
export interface BindingProviders {
  extraInputs(fn: RegisteredFunction, input: InvocationInput): RpcParameterBinding[] | Promise<RpcParameterBinding[]>;
  deliverOutputs(fn: RegisteredFunction, response: RpcInvocationResponse, input: InvocationInput): Promise<void>;
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
    const invocationId = input.invocationId ?? randomUUID();
    const name = fn.metadata.name;
    const started = process.hrtime.bigint();
    const startedAt = new Date().toISOString();
    const span = input.span ?? childSpan(undefined);
    const request: RpcInvocationRequest = {
      invocationId,
      functionId: fn.metadata.functionId ?? name,
      inputData: [...input.inputData],
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
    const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
    const report = (success: boolean, resultCode: string) =>
      this.telemetry({
        kind: 'request', source: 'host', time: startedAt, operationId: span.traceId, id: span.spanId, parentId: span.parentId,
        name, durationMs: elapsedMs(), success, resultCode, properties: { InvocationId: invocationId, TriggerReason: input.reason ?? 'trigger', ...stringProps(input.logContext) },
      });
    let response: RpcInvocationResponse;
    try {
      // An input binding that cannot be read (a blob path with no value for a parameter, say)
      // fails the invocation like any other failure before the handler.
      request.inputData.push(...(await this.bindings.extraInputs(fn, input)));
      response = await this.worker(fn, model.getInvocationModel(coreCtx), coreCtx);
    } catch (failure) {
      // Whatever fails in the worker (converting inputs, a hook, the handler, converting the
      // result) fails the invocation, as the worker answers its InvocationRequest with a failure.
      const err = failure instanceof Error ? failure : new Error(String(failure));
      this.logger.log('warning', `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${elapsedMs().toFixed(1)}ms)`, { ...input.logContext, error: firstLine(err.message), op: span.traceId });
      report(false, '500');
      throw new FunctionInvocationError(err.message, err.stack, failure);
    }
    try {
      await this.bindings.deliverOutputs(fn, response, input);
    } catch (err) {
      // As on Azure, an output binding that cannot be delivered fails the invocation.
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.warn(`Output binding of 'Functions.${name}' failed (Id=${invocationId})`, { ...input.logContext, error: e.message });
      this.logger.log('warning', `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${elapsedMs().toFixed(1)}ms)`, { ...input.logContext, error: firstLine(e.message), op: span.traceId });
      report(false, '500');
      throw new FunctionInvocationError(`Output binding failed: ${e.message}`, e.stack, err);
    }
    this.logger.info(`Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${elapsedMs().toFixed(1)}ms)`, { ...input.logContext, op: span.traceId });
    const status = response.returnValue?.http?.statusCode;
    report(status === undefined || Number(status) < 500, status ?? '0');
    return response;
  }

  /**
   * The Node worker's InvocationHandler: inputs first, then the preInvocation hooks (awaited in
   * turn; they may replace the inputs and the handler), the handler, the postInvocation hooks
   * (which start from `{ result: null, error: null }` and may replace the result or clear the
   * error), and only then the response. One `hookData` object is shared by the invocation's pre
   * and post hooks; `appHookData` is the app's, shared with every hook.
   */
  private async worker(fn: RegisteredFunction, invocationModel: InvocationModel, coreCtx: { state: string | undefined }): Promise<RpcInvocationResponse> {
    const { context, inputs } = await invocationModel.getArguments();
    const hookData: Record<string, unknown> = {};
    const shared = { hookData, appHookData: this.registry.appHookData, invocationContext: context };
    const pre = Object.assign(readOnlyContext(shared), { functionCallback: fn.callback as unknown, inputs });
    coreCtx.state = 'preInvocationHooks';
    try {
      await this.registry.runHooks('preInvocation', pre);
    } finally {
      coreCtx.state = undefined;
    }
    const post = Object.assign(readOnlyContext(shared), { inputs: pre.inputs, result: null as unknown, error: null as unknown });
    coreCtx.state = 'invocation';
    try {
      post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback as FunctionCallback);
    } catch (err) {
      post.error = err;
    } finally {
      coreCtx.state = undefined;
    }
    coreCtx.state = 'postInvocationHooks';
    try {
      await this.registry.runHooks('postInvocation', post);
    } finally {
      coreCtx.state = undefined;
    }
    // The worker's isError: anything but null and undefined that is left in `error` is thrown.
    if (post.error !== null && post.error !== undefined) throw post.error;
    return invocationModel.getResponse(context, post.result);
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

// Runs one invocation exactly as the Node worker does: the programming model converts the RPC
// request into handler arguments, pre/post invocation hooks run around the handler, and the
// model converts the result back into an RPC response.
import { randomUUID } from 'node:crypto';
import type { FunctionRegistry, HookCallback, RegisteredFunction } from './core-api';
import type { Logger } from './logger';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcParameterBinding, RpcRetryContext, RpcTraceContext, RpcTypedData } from './rpc-types';

export interface InvocationInput {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  traceContext?: RpcTraceContext;
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

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly logger: Logger,
  ) {}

  async invoke(fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse> {
    const model = this.registry.programmingModel;
    if (!model) throw new Error('no programming model registered: the app did not load @azure/functions');
    const invocationId = randomUUID();
    const name = fn.metadata.name;
    const started = process.hrtime.bigint();
    const request: RpcInvocationRequest = {
      invocationId,
      functionId: fn.metadata.functionId ?? name,
      inputData: [...input.inputData, ...this.bindings.extraInputs(fn)],
      triggerMetadata: input.triggerMetadata ?? {},
      traceContext: input.traceContext ?? { traceParent: undefined, traceState: undefined, attributes: {} },
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
    if (post.error !== undefined && post.error !== null) {
      const err = post.error instanceof Error ? post.error : new Error(String(post.error));
      this.logger.log('warning', `Executed 'Functions.${name}' (Failed, Id=${invocationId}, Duration=${ms.toFixed(1)}ms)`, { ...input.logContext, error: firstLine(err.message) });
      throw new FunctionInvocationError(err.message, err.stack, post.error);
    }
    this.logger.info(`Executed 'Functions.${name}' (Succeeded, Id=${invocationId}, Duration=${ms.toFixed(1)}ms)`, input.logContext);
    coreCtx.state = undefined;
    const response = await invocationModel.getResponse(context, post.result);
    try {
      await this.bindings.deliverOutputs(fn, response);
    } catch (err) {
      // As on Azure, an output binding that cannot be delivered fails the invocation.
      const e = err instanceof Error ? err : new Error(String(err));
      this.logger.warn(`Output binding of 'Functions.${name}' failed (Id=${invocationId})`, { ...input.logContext, error: e.message });
      throw new FunctionInvocationError(`Output binding failed: ${e.message}`, e.stack, err);
    }
    return response;
  }

  private async runHooks(name: 'preInvocation' | 'postInvocation', ctx: Record<string, unknown>): Promise<void> {
    const hooks: Set<HookCallback> | undefined = this.registry.hooks.get(name);
    if (!hooks) return;
    for (const hook of [...hooks]) await hook(ctx);
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

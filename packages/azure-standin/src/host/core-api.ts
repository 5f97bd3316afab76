// Provides the `@azure/functions-core` module that the real Node worker injects into the app's
// module graph. `@azure/functions` and `durable-functions` register every function and hook
// through it, so capturing these calls gives us exactly the metadata Azure sees.
import Module from 'node:module';
import type { FunctionMetadata } from '../core/rpc-types';

export type HookName = 'preInvocation' | 'postInvocation' | 'appStart' | 'appTerminate';
const hookNames: readonly string[] = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate'];

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;
export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/** The parts of `@azure/functions`' ProgrammingModel the host drives. */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel;
  getCapabilities(capabilities: Record<string, string>): Promise<Record<string, string>>;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<import('../core/rpc-types').RpcInvocationResponse>;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: import('../core/rpc-types').RpcInvocationRequest;
  metadata: FunctionMetadata;
  state?: string;
  log(level: LogLevel, category: 'user' | 'system', message: string): void;
}

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

class Disposable {
  #dispose: (() => void) | undefined;
  constructor(dispose: () => void) {
    this.#dispose = dispose;
  }
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.#dispose?.();
    this.#dispose = undefined;
  }
}

export class FunctionRegistry {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks = new Map<HookName, Set<HookCallback>>(hookNames.map((h) => [h as HookName, new Set()]));
  programmingModel: ProgrammingModel | undefined;
  /** The worker's `appHookData`: one object handed to every hook, app-level and invocation-level alike. */
  readonly appHookData: Record<string, unknown> = {};
  /** The worker's `appLevelOnlyHookData`: the `hookData` that appStart and appTerminate share. */
  readonly appLevelHookData: Record<string, unknown> = {};
  private locked = false;
  logSink: (level: LogLevel, category: string, message: string) => void = () => {};

  /** The object `require('@azure/functions-core')` returns. */
  readonly coreApi = {
    version: '3.10.1',
    hostVersion: '4.1000.0',
    Disposable,
    setProgrammingModel: (model: ProgrammingModel) => {
      this.programmingModel = model;
    },
    getProgrammingModel: () => this.programmingModel,
    registerHook: (name: string, callback: HookCallback) => {
      if (!hookNames.includes(name)) {
        const err = new RangeError(`Unrecognized hook "${name}"`) as RangeError & { isAzureFunctionsSystemError?: boolean };
        err.isAzureFunctionsSystemError = true;
        throw err;
      }
      const set = this.hooks.get(name as HookName)!;
      set.add(callback);
      return new Disposable(() => set.delete(callback));
    },
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => {
      if (this.locked) throw new Error('A function can only be registered during app startup.');
      const functionId = metadata.functionId ?? metadata.name;
      if (this.functions.has(functionId)) {
        throw new Error(`A function with id "${functionId}" has already been registered.`);
      }
      this.functions.set(functionId, { metadata: { ...metadata, functionId }, callback });
      return new Disposable(() => this.functions.delete(functionId));
    },
    log: (level: LogLevel, category: string, message: string) => this.logSink(level, category, message),
  };

  lock(): void {
    this.locked = true;
  }

  /**
   * The context appStart and appTerminate hooks get, as the worker builds it (startApp.ts,
   * terminateWorker.ts): read-only `hookData` and `appHookData`, the same objects for both hooks.
   */
  appHookContext(functionAppDirectory?: string): Record<string, unknown> {
    const ctx = readOnlyContext({ hookData: this.appLevelHookData, appHookData: this.appHookData });
    if (functionAppDirectory !== undefined) ctx.functionAppDirectory = functionAppDirectory;
    return ctx;
  }

  /** Runs the hooks registered under `name` one after another, awaiting each, as the worker's executeHooks does. */
  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of [...(this.hooks.get(name) ?? [])]) await hook(context);
  }
}

/** The worker's ReadOnlyError (a TypeError), thrown when a hook assigns a read-only context property. */
export class ReadOnlyError extends TypeError {
  readonly isAzureFunctionsSystemError = true;
  constructor(propertyName: string) {
    super(`Cannot assign to read only property '${propertyName}'`);
  }
}

/** A hook context whose given properties can be read but not assigned, as the worker defines them. */
export function readOnlyContext(props: Record<string, unknown>): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(props)) {
    Object.defineProperty(ctx, name, {
      enumerable: true,
      get: () => value,
      set: () => {
        throw new ReadOnlyError(name);
      },
    });
  }
  return ctx;
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;

/** Makes `require('@azure/functions-core')` resolve to the registry's API, as the worker does. */
export function installCoreModule(registry: FunctionRegistry): () => void {
  const mod = Module as unknown as { _load: ModuleLoad };
  const original = mod._load;
  mod._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === '@azure/functions-core') return registry.coreApi;
    return original.call(this, request, parent, isMain);
  };
  return () => {
    mod._load = original;
  };
}

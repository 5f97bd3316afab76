// What a function's output bindings receive, bound as the host binds them (WorkerFunctionInvoker
// BindOutputsAsync): each outputData entry under its binding name; the return value to the
// binding named `$return` (what `return: output.serviceBusQueue(...)` declares) or, when the
// function has none, a returned object's properties to the output bindings of the same names,
// overriding outputData. Nothing is bound for null or undefined.
import type { RegisteredFunction } from './core-api';
import type { RpcInvocationResponse, RpcTypedData } from '../core/rpc-types';

export function outputValues(fn: RegisteredFunction, response: RpcInvocationResponse): Map<string, unknown> {
  const bindings = fn.metadata.bindings ?? {};
  const values = new Map<string, unknown>();
  for (const o of response.outputData ?? []) values.set(o.name, decodeTypedData(o.data));
  const returned = response.returnValue;
  if (returned && bindings.$return !== undefined) {
    values.set('$return', decodeTypedData(returned));
  } else if (returned?.json !== undefined) {
    const v = JSON.parse(returned.json) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [name, x] of Object.entries(v)) if (bindings[name]?.direction === 'out') values.set(name, x);
    }
  }
  for (const [name, v] of values) if (v === null || v === undefined) values.delete(name);
  return values;
}

export function decodeTypedData(data: RpcTypedData): unknown {
  if (data.json !== undefined) return JSON.parse(data.json);
  if (data.string !== undefined) return data.string;
  if (data.bytes !== undefined) return Buffer.from(data.bytes);
  if (data.int !== undefined) return data.int;
  if (data.double !== undefined) return data.double;
  return null;
}

// The subset of the Functions host <-> language worker protocol (FunctionRpc.proto) that the
// embedded host speaks to `@azure/functions` through `@azure/functions-core`. Field names follow
// the proto's JSON mapping, which is what the library reads.

export interface RpcHttpData {
  method: string;
  url: string;
  headers: Record<string, string>;
  nullableHeaders?: Record<string, { value?: string }>;
  query: Record<string, string>;
  nullableQuery?: Record<string, { value?: string }>;
  params: Record<string, string>;
  nullableParams?: Record<string, { value?: string }>;
  body?: RpcTypedData;
  identities?: unknown[];
  statusCode?: string;
  cookies?: RpcHttpCookie[];
  enableContentNegotiation?: boolean;
}

export interface RpcHttpCookie {
  name: string;
  value: string;
  domain?: { value: string };
  path?: { value: string };
  expires?: { value: { seconds: number } };
  secure?: { value: boolean };
  httpOnly?: { value: boolean };
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone';
  maxAge?: { value: number };
}

/** Exactly one member is set, as in the proto's `oneof data`. */
export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  stream?: Uint8Array;
  http?: RpcHttpData;
  int?: number;
  double?: number;
  collectionBytes?: { bytes: Uint8Array[] };
  collectionString?: { string: string[] };
  collectionDouble?: { double: number[] };
  collectionSint64?: { sint64: number[] };
}

export interface RpcParameterBinding {
  name: string;
  data: RpcTypedData;
}

export interface RpcTraceContext {
  traceParent?: string;
  traceState?: string;
  attributes?: Record<string, string>;
}

export interface RpcRetryContext {
  retryCount: number;
  maxRetryCount: number;
  exception?: { message?: string; stackTrace?: string };
}

export interface RpcInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: RpcParameterBinding[];
  triggerMetadata: Record<string, RpcTypedData>;
  traceContext?: RpcTraceContext;
  retryContext?: RpcRetryContext;
}

export interface RpcInvocationResponse {
  invocationId: string;
  outputData?: RpcParameterBinding[];
  returnValue?: RpcTypedData | null;
}

export interface RpcBindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  name?: string;
  dataType?: string;
  properties?: Record<string, string>;
  [setting: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

// Converts between Node's HTTP objects and the RPC HTTP shapes the Functions host exchanges with
// the Node worker, and enforces the trigger's auth level with function keys.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpFunction } from './function-index';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from '../core/rpc-types';
import { clientAddressHeaderNames, clientAddressHeaders } from './client-address';

export interface HostKeys {
  master: string;
  functionKeys: string[];
}

/** The key a request presents: `x-functions-key`, else `?code=`. */
function presentedKey(url: URL, req: IncomingMessage): string {
  const header = req.headers['x-functions-key'];
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? '';
}

/** A disabled function still runs for a caller with the master key (Azure's "run a disabled function"). */
export const presentsMasterKey = (url: URL, req: IncomingMessage, keys: HostKeys): boolean => presentedKey(url, req) === keys.master;

export function authorize(fn: HttpFunction, url: URL, req: IncomingMessage, keys: HostKeys): boolean {
  if (fn.authLevel === 'anonymous') return true;
  const code = presentedKey(url, req);
  if (code === '') return false;
  if (code === keys.master) return true;
  return fn.authLevel === 'function' && keys.functionKeys.includes(code);
}

/**
 * The request headers as the host hands them on: Kestrel keeps every header line, and the host
 * joins a name's values with "," (StringValues.ToString) under the lower-cased name. The
 * caller's client-address headers are replaced by the front end's view of the caller.
 */
export function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (v !== undefined) headers[k] = v.join(',');
  for (const name of clientAddressHeaderNames) delete headers[name];
  Object.assign(headers, clientAddressHeaders(req.socket?.remoteAddress, req.socket?.remotePort));
  return headers;
}

/**
 * ASP.NET's IQueryCollection: keys compared case-insensitively (the first spelling is kept) and a
 * repeated key's values joined with ",". The library builds `req.query` from this on the
 * non-streaming path, so `?a=1&a=2` gives get('a') === '1,2' (azure-functions-nodejs-library#168).
 */
export function requestQuery(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  const spelled = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    const key = spelled.get(k.toLowerCase());
    if (key === undefined) {
      spelled.set(k.toLowerCase(), k);
      query[k] = v;
    } else query[key] = `${query[key]},${v}`;
  }
  return query;
}

export function toRpcHttp(req: IncomingMessage, url: URL, params: Record<string, string>, body: Buffer): RpcHttpData {
  const data: RpcHttpData = { method: req.method ?? 'GET', url: url.toString(), headers: requestHeaders(req), query: requestQuery(url), params };
  if (body.length > 0) data.body = { bytes: body };
  return data;
}

/**
 * The trigger metadata the host sends with a streamed HTTP invocation, from which the library
 * takes the function's headers (`Headers`) and params (every other string value):
 * HttpTriggerAttributeBindingProvider.GetRequestBindingData puts in each query parameter but
 * `code` (last value wins), then the route values (which win over a query parameter of the same
 * name, keys compared case-insensitively), then `Query` and `Headers` unless a parameter already
 * took the name. (It also adds a JSON request body's top-level properties; this host does not,
 * since that would mean buffering the body it streams.)
 */
export function streamingTriggerMetadata(req: IncomingMessage, url: URL, routeParams: Record<string, string>): Record<string, RpcTypedData> {
  const data = new Map<string, { key: string; value: RpcTypedData }>();
  const set = (key: string, value: RpcTypedData) => {
    const existing = data.get(key.toLowerCase());
    // A .NET dictionary keeps the first spelling of a key when its value is replaced.
    data.set(key.toLowerCase(), { key: existing?.key ?? key, value });
  };
  const lastValues = new Map<string, { key: string; value: string }>();
  for (const [k, v] of url.searchParams) lastValues.set(k.toLowerCase(), { key: lastValues.get(k.toLowerCase())?.key ?? k, value: v });
  const query: Record<string, string> = {};
  for (const { key, value } of lastValues.values()) {
    query[key] = value;
    if (key.toLowerCase() !== 'code') set(key, { string: value });
  }
  for (const [k, v] of Object.entries(routeParams)) set(k, { string: v });
  if (!data.has('query')) set('Query', { json: JSON.stringify(query) });
  if (!data.has('headers')) set('Headers', { json: JSON.stringify(requestHeaders(req)) });
  return Object.fromEntries([...data.values()].map(({ key, value }) => [key, value]));
}

/**
 * Writes an RPC HTTP response as the host's RawScriptResult does: headers first (content-type
 * included), then the status, then each cookie appended through ASP.NET's Response.Cookies (one
 * Set-Cookie header each, after any Set-Cookie header the function set), then the body.
 */
export function writeRpcHttp(res: ServerResponse, value: RpcTypedData | null | undefined): void {
  const http = value?.http;
  if (!http) {
    // A handler that returns nothing answers 204, as the host does for an empty HttpResponse.
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? 200) || 200;
  // Formatted before anything is written: an invalid cookie name throws (the host answers 500).
  const cookies = (http.cookies ?? []).map(formatCookie);
  for (const [k, v] of Object.entries(http.headers ?? {})) res.setHeader(k, v);
  if (cookies.length > 0) {
    const existing = res.getHeader('set-cookie');
    res.setHeader('set-cookie', [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)]), ...cookies]);
  }
  const body = http.body?.bytes ?? (http.body?.string !== undefined ? Buffer.from(http.body.string) : undefined);
  res.statusCode = status;
  res.end(body && body.length > 0 ? Buffer.from(body) : undefined);
}

/** RFC 7230 token characters, which ASP.NET requires of a cookie name (CookieHeaderValue.CheckNameFormat; an empty name passes). */
const cookieName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;

/**
 * One Set-Cookie value as ASP.NET Core writes it (SetCookieHeaderValue.ToString) from the
 * CookieOptions the host builds (GrpcMessageExtensionUtilities.RpcHttpCookieConverter):
 * `name=value; expires=<RFC 1123>; max-age=<whole seconds>; domain=..; path=..; secure;
 * samesite=strict|lax|none; httponly`, lower-case attributes in that order. The value is escaped
 * with Uri.EscapeDataString, the name is not. CookieOptions.Path defaults to "/", so every cookie
 * without a path gets `path=/`. SameSite "none" from the worker means unspecified (no attribute);
 * "explicitNone" (the library's sameSite: 'None') writes `samesite=none`.
 */
export function formatCookie(c: RpcHttpCookie): string {
  if (!cookieName.test(c.name)) throw new Error(`Invalid cookie name "${c.name}": a cookie name must be an RFC 7230 token`);
  const parts = [`${c.name}=${escapeDataString(c.value ?? '')}`];
  if (c.expires?.value) parts.push(`expires=${new Date(Number(c.expires.value.seconds) * 1000).toUTCString()}`);
  // TimeSpan.FromSeconds(maxAge), then (long)TotalSeconds: truncated toward zero.
  if (c.maxAge?.value !== undefined && c.maxAge.value !== null) parts.push(`max-age=${Math.trunc(c.maxAge.value)}`);
  if (c.domain?.value !== undefined && c.domain.value !== null) parts.push(`domain=${c.domain.value}`);
  parts.push(`path=${c.path?.value ?? '/'}`);
  if (c.secure?.value) parts.push('secure');
  const sameSite = c.sameSite === 'explicitNone' ? 'none' : c.sameSite === 'strict' || c.sameSite === 'lax' ? c.sameSite : undefined;
  if (sameSite) parts.push(`samesite=${sameSite}`);
  if (c.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}

/** .NET's Uri.EscapeDataString: everything but RFC 3986 unreserved characters is percent-encoded (UTF-8, upper-case hex). */
export function escapeDataString(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

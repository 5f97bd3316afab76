// Converts between Node's HTTP objects and the RPC HTTP shapes the Functions host exchanges with
// the Node worker, and enforces the trigger's auth level with function keys.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpFunction } from './function-index';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './rpc-types';
import { clientAddressHeaderNames, clientAddressHeaders } from './client-address';

export interface HostKeys {
  master: string;
  functionKeys: string[];
}

export function authorize(fn: HttpFunction, url: URL, req: IncomingMessage, keys: HostKeys): boolean {
  if (fn.authLevel === 'anonymous') return true;
  const header = req.headers['x-functions-key'];
  const code = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? '';
  if (code === '') return false;
  if (code === keys.master) return true;
  return fn.authLevel === 'function' && keys.functionKeys.includes(code);
}

export function toRpcHttp(req: IncomingMessage, url: URL, params: Record<string, string>, body: Buffer): RpcHttpData {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(k === 'cookie' ? '; ' : ', ') : v;
  }
  // The front end's view of the caller replaces whatever the caller claimed.
  for (const name of clientAddressHeaderNames) delete headers[name];
  Object.assign(headers, clientAddressHeaders(req.socket?.remoteAddress, req.socket?.remotePort));
  const query: Record<string, string> = {};
  // The .NET host reads IQueryCollection, which joins repeated keys with commas.
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const data: RpcHttpData = { method: req.method ?? 'GET', url: url.toString(), headers, query, params };
  if (body.length > 0) data.body = { bytes: body };
  return data;
}

export function writeRpcHttp(res: ServerResponse, value: RpcTypedData | null | undefined): void {
  const http = value?.http;
  if (!http) {
    // A handler that returns nothing answers 204, as the host does for an empty HttpResponse.
    res.writeHead(204).end();
    return;
  }
  const status = Number(http.statusCode ?? 200) || 200;
  for (const [k, v] of Object.entries(http.headers ?? {})) res.setHeader(k, v);
  const cookies = (http.cookies ?? []).map(formatCookie);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = http.body?.bytes ?? (http.body?.string !== undefined ? Buffer.from(http.body.string) : undefined);
  res.statusCode = status;
  res.end(body && body.length > 0 ? Buffer.from(body) : undefined);
}

function formatCookie(c: RpcHttpCookie): string {
  const parts = [`${c.name}=${c.value}`];
  if (c.domain?.value) parts.push(`Domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`Path=${c.path.value}`);
  if (c.expires?.value) parts.push(`Expires=${new Date(c.expires.value.seconds * 1000).toUTCString()}`);
  if (c.maxAge?.value !== undefined) parts.push(`Max-Age=${c.maxAge.value}`);
  if (c.secure?.value) parts.push('Secure');
  if (c.httpOnly?.value) parts.push('HttpOnly');
  if (c.sameSite && c.sameSite !== 'none') parts.push(`SameSite=${c.sameSite === 'explicitNone' ? 'None' : c.sameSite[0].toUpperCase() + c.sameSite.slice(1)}`);
  return parts.join('; ');
}

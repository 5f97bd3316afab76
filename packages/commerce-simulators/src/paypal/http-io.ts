// Reading request bodies and writing PayPal-shaped answers: shared by the Orders/Payments router,
// the Disputes router and the dispute trigger control plane.
import type http from 'node:http';
import { newDebugId, PayPalApiError } from './paypal-errors';

/** JSON APIs: PayPal's bodies are small; multipart evidence uploads pass their own, larger cap. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Reads the whole body, refusing it (413) once it grows past `maxBytes`. */
export async function readBody(req: http.IncomingMessage, maxBytes = MAX_JSON_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new PayPalApiError(413, 'PAYLOAD_TOO_LARGE', 'The request payload is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendRaw(res: http.ServerResponse, status: number, body: string): void {
  const headers: Record<string, string> = { 'paypal-debug-id': newDebugId() };
  if (body !== '') headers['content-type'] = 'application/json';
  res.writeHead(status, headers).end(body);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, body === undefined ? '' : JSON.stringify(body));
}

export function sendError(res: http.ServerResponse, err: PayPalApiError): void {
  sendJson(res, err.status, err.toBody());
}

export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

export function headerString(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Request bodies at the edge: refused by their announced size before a byte is read, capped while
// read, and decoded as strict UTF-8 (a stray byte is the client's error, not a U+FFFD stored in a
// customer's name). The host's own limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) bounds what it buffers.
import type { HttpRequest } from '@azure/functions';
import type { Problem } from './problem';

/** JSON API bodies; webhook bodies get `maxWebhookBytes`. */
export const maxBodyBytes = 64 * 1024;
export const maxWebhookBytes = 256 * 1024;

const tooLarge = (size: number | undefined, limit: number): Problem => ({
  status: 413,
  type: 'payload-too-large',
  title: 'Request body too large',
  detail: size === undefined ? `The limit is ${limit} bytes.` : `The body is ${size} bytes; the limit is ${limit}.`,
});

/** The body exactly as sent (signatures cover the bytes), or the 413 problem. */
export async function readBody(req: HttpRequest, limit: number): Promise<{ ok: true; bytes: Buffer } | { ok: false; problem: Problem }> {
  const announced = req.headers.get('content-length');
  if (announced !== null && /^\d+$/.test(announced.trim()) && Number(announced) > limit) return { ok: false, problem: tooLarge(Number(announced), limit) };
  const bytes = Buffer.from(await req.arrayBuffer());
  return bytes.length > limit ? { ok: false, problem: tooLarge(bytes.length, limit) } : { ok: true, bytes };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8, then JSON; either failing is the client's 400. */
export function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; problem: Problem } {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, problem: { status: 400, type: 'malformed-json', title: 'Malformed JSON', detail: 'The body is not valid UTF-8.' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, problem: { status: 400, type: 'malformed-json', title: 'Malformed JSON', detail: (err as Error).message } };
  }
}

// Reads and validates a JSON request body at the edge: media type, size, syntax, then schema
// (unknown fields rejected). Each failure maps to its own problem type and status.
import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import type { Problem } from './problem';

export const maxBodyBytes = 64 * 1024;

export async function readJson<T extends z.ZodType>(req: HttpRequest, schema: T): Promise<{ ok: true; value: z.infer<T> } | { ok: false; problem: Problem }> {
  const mediaType = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return { ok: false, problem: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type', detail: 'Send the body as application/json.' } };
  }
  const bytes = Buffer.from(await req.arrayBuffer());
  if (bytes.length > maxBodyBytes) {
    return { ok: false, problem: { status: 413, type: 'payload-too-large', title: 'Request body too large', detail: `The body is ${bytes.length} bytes; the limit is ${maxBodyBytes}.` } };
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, problem: { status: 400, type: 'malformed-json', title: 'Malformed JSON', detail: (err as Error).message } };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { ok: false, problem: validationProblem(parsed.error, 'request body') };
  return { ok: true, value: parsed.data };
}

/** 400 with one JSON pointer per schema violation. */
export function validationProblem(error: z.ZodError, where: 'request body' | 'query string'): Problem {
  return {
    status: 400,
    type: 'validation-failed',
    title: 'The request is not valid',
    detail: `${error.issues.length} problem(s) in the ${where}.`,
    errors: error.issues.map((i) => ({ pointer: '/' + i.path.map(String).join('/'), detail: i.message })),
  };
}

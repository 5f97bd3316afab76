// Reads and validates a JSON request body at the edge: media type, size, syntax, then schema
// (unknown fields rejected). Each failure maps to its own problem type and status.
import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import type { Problem } from './problem';
import { maxBodyBytes, parseJson, readBody } from './read-body';

export async function readJson<T extends z.ZodType>(req: HttpRequest, schema: T): Promise<{ ok: true; value: z.infer<T> } | { ok: false; problem: Problem }> {
  const mediaType = (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') {
    return { ok: false, problem: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type', detail: 'Send the body as application/json.' } };
  }
  const body = await readBody(req, maxBodyBytes);
  if (!body.ok) return body;
  const json = parseJson(body.bytes);
  if (!json.ok) return json;
  const data = json.value;
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

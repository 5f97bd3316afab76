// The catalog of problem types (functions/http/problem-types.ts): what problemResponse sends and
// what the OpenAPI document and problemSchema accept agree, status included.
import { problemResponse } from '../../functions/http/problem';
import { problemTypeBase, problemTypes } from '../../functions/http/problem-types';
import type { ProblemType } from '../../functions/http/problem-types';
import { problemSchema } from '../../functions/http/schemas';
import type { HttpRequest } from '@azure/functions';

const req = { url: 'http://localhost/api/v1/orders/x', headers: new Headers() } as unknown as HttpRequest;

test.each(Object.entries(problemTypes))('%s (%i) is sent as a problem that its schema accepts', (slug, status) => {
  const res = problemResponse(req, { status, type: slug as ProblemType, title: 't' });
  expect(res.headers).toMatchObject({ 'content-type': 'application/problem+json' });
  const body = problemSchema.parse(JSON.parse(res.body as string));
  expect(body).toMatchObject({ type: `${problemTypeBase}${slug}`, status, instance: '/api/v1/orders/x' });
  expect(status).toBeGreaterThanOrEqual(400);
});

test('a status other than the catalog\'s, or a type outside it, is not a problem of this API', () => {
  const ok = { title: 't', instance: '/', requestId: 'r' };
  expect(problemSchema.safeParse({ ...ok, type: `${problemTypeBase}order-not-found`, status: 400 }).success).toBe(false);
  expect(problemSchema.safeParse({ ...ok, type: `${problemTypeBase}no-such-problem`, status: 404 }).success).toBe(false);
});

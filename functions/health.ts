// Liveness of the deployed app: the product's endpoints arrive with the order API.
import { app, HttpResponseInit } from '@azure/functions';

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (): Promise<HttpResponseInit> => ({ jsonBody: { status: 'ok' } }),
});

// Serves the API description and its docs page (Swagger UI, with its files from the app itself).
import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { serveDocsAsset } from './http/docs-assets';
import { docsPage } from './http/docs-page';
import { openApiDocument } from './http/openapi';
import { jsonResponse } from './http/problem';

app.http('openApi', {
  route: 'v1/openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => jsonResponse(req, 200, openApiDocument()),
});

app.http('apiDocs', {
  route: 'v1/docs',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (): Promise<HttpResponseInit> => ({ status: 200, ...docsPage() }),
});

app.http('apiDocsAsset', {
  route: 'v1/docs/{asset}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => serveDocsAsset(req, req.params.asset ?? ''),
});

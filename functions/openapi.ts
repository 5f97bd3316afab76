// Serves the API description and a small human-readable page generated from it.
import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { openApiDocument } from './http/openapi';
import { jsonResponse } from './http/problem';

app.http('openApi', {
  route: 'v1/openapi.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => jsonResponse(req, 200, openApiDocument()),
});

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

app.http('apiDocs', {
  route: 'v1/docs',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (): Promise<HttpResponseInit> => {
    const doc = openApiDocument() as { info: { title: string; description: string }; paths: Record<string, Record<string, { summary: string; responses: Record<string, { description: string }> }>>; components: { schemas: Record<string, unknown> } };
    const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) =>
      `<h2><code>${m.toUpperCase()} /api${escape(p)}</code></h2><p>${escape(op.summary)}</p><ul>${Object.entries(op.responses).map(([code, r]) => `<li><b>${code}</b> ${escape(r.description)}</li>`).join('')}</ul>`));
    const schemas = Object.entries(doc.components.schemas).map(([name, s]) => `<h3 id="${name}">${name}</h3><pre>${escape(JSON.stringify(s, null, 2))}</pre>`);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}code{font-size:1rem}</style></head>
<body><h1>${escape(doc.info.title)}</h1><p>${escape(doc.info.description)}</p><p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1)</p>${ops.join('')}<h2>Schemas</h2>${schemas.join('')}</body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  },
});

// Blob bindings on the stand-in's Azurite: an HTTP upload through a blob output whose path takes
// a route parameter, a blob trigger that copies each new upload (upper-cased) through another
// output, an HTTP read through a blob input, and a trigger that always fails (poison).
import { app, HttpRequest, HttpResponseInit, input, InvocationContext, output } from '@azure/functions';
import { recordEffect } from './effects';

const uploaded = output.storageBlob({ path: 'uploads/{name}', connection: 'AzureWebJobsStorage' });
app.http('upload', {
  route: 'upload/{name}',
  methods: ['PUT'],
  authLevel: 'anonymous',
  extraOutputs: [uploaded],
  handler: async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    context.extraOutputs.set(uploaded, await req.text());
    return { status: 201 };
  },
});

const processed = output.storageBlob({ path: 'processed/{name}', connection: 'AzureWebJobsStorage' });
app.storageBlob('onUpload', {
  path: 'uploads/{name}',
  connection: 'AzureWebJobsStorage',
  extraOutputs: [processed],
  handler: async (blob: unknown, context: InvocationContext): Promise<void> => {
    const md = context.triggerMetadata as { name?: string; blobTrigger?: string; uri?: string; properties?: { contentLength?: number } };
    recordEffect('uploaded', { isBuffer: Buffer.isBuffer(blob), text: Buffer.from(blob as Buffer).toString('utf8'), name: md.name, blobTrigger: md.blobTrigger, uri: md.uri, contentLength: md.properties?.contentLength });
    context.extraOutputs.set(processed, Buffer.from(blob as Buffer).toString('utf8').toUpperCase());
  },
});

const readProcessed = input.storageBlob({ path: 'processed/{name}', connection: 'AzureWebJobsStorage' });
app.http('readProcessed', {
  route: 'processed/{name}',
  methods: ['GET'],
  authLevel: 'anonymous',
  extraInputs: [readProcessed],
  handler: async (_req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const content = context.extraInputs.get(readProcessed);
    return content === undefined || content === null ? { status: 404 } : { status: 200, body: String(content) };
  },
});

app.storageBlob('poisoned', {
  path: 'poison/{name}',
  connection: 'AzureWebJobsStorage',
  handler: async (_blob: unknown, context: InvocationContext): Promise<void> => {
    recordEffect('poison-attempt', { name: (context.triggerMetadata as { name?: string }).name });
    throw new Error('cannot process this blob');
  },
});

const poisonUpload = output.storageBlob({ path: 'poison/{name}', connection: 'AzureWebJobsStorage' });
app.http('uploadPoison', {
  route: 'poison/{name}',
  methods: ['PUT'],
  authLevel: 'anonymous',
  extraOutputs: [poisonUpload],
  handler: async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    context.extraOutputs.set(poisonUpload, await req.text());
    return { status: 201 };
  },
});

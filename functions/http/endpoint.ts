// Wraps an HTTP handler so that an unexpected failure still answers with a problem document
// (and the request id to quote), and the full error goes to the log, never to the client.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { cosmosStatus } from '../../adapters/cosmos/cosmos-client';
import { problemResponse, requestId } from './problem';

async function answer(req: HttpRequest, context: InvocationContext, run: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await run();
  } catch (err) {
    context.error(`request ${requestId(req)} failed: ${err instanceof Error ? err.stack : String(err)}`);
    // Cosmos still throttling after the SDK's own retries: the store is saturated, not the caller.
    if (cosmosStatus(err) === 429) {
      return problemResponse(req, { status: 503, type: 'service-busy', title: 'Service busy', detail: 'The order store is at capacity; retry shortly.' }, { 'retry-after': '1' });
    }
    return problemResponse(req, { status: 500, type: 'internal-error', title: 'Internal error', detail: 'The request failed on the server. Quote the requestId when reporting it.' });
  }
}

type Handler = (req: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
type ClientHandler = (req: HttpRequest, client: DurableClient, context: InvocationContext) => Promise<HttpResponseInit>;

export const endpoint = (h: Handler): Handler => (req, context) => answer(req, context, () => h(req, context));
export const clientEndpoint = (h: ClientHandler): ClientHandler => (req, client, context) => answer(req, context, () => h(req, client, context));

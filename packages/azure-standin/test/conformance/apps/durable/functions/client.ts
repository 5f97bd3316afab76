// Client functions: the Durable client APIs of durable-functions, as an app calls them.
import { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';

const input = async (req: HttpRequest): Promise<unknown> => {
  const text = await req.text();
  return text ? JSON.parse(text) : undefined;
};

// The quickstart's HTTP starter: start, then answer with the check-status response.
df.app.client.http('httpStart', {
  route: 'orchestrators/{name}/{instanceId?}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const instanceId = await client.startNew(req.params.name, { instanceId: req.params.instanceId, input: await input(req) });
    return client.createCheckStatusResponse(req, instanceId);
  },
});

// Start, then wait for the outcome up to ?timeoutMs (waitForCompletionOrCreateCheckStatusResponse).
df.app.client.http('httpStartAndWait', {
  route: 'start-and-wait/{name}/{instanceId}',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const instanceId = await client.startNew(req.params.name, { instanceId: req.params.instanceId, input: await input(req) });
    const timeoutInMilliseconds = Number(req.query.get('timeoutMs') ?? 10_000);
    return client.waitForCompletionOrCreateCheckStatusResponse(req, instanceId, { timeoutInMilliseconds, retryIntervalInMilliseconds: 100 });
  },
});

const ids = (list: df.DurableOrchestrationStatus[]) => ({ count: list.length, ids: list.map((s) => s.instanceId) });

// One client operation per route; a rejected call answers 500 with the client's error message.
df.app.client.http('clientOperation', {
  route: 'client/{op}/{instanceId?}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const id = req.params.instanceId ?? '';
    const q = req.query;
    const reason = q.get('reason') ?? 'by test';
    try {
      switch (req.params.op) {
        case 'status':
          return { jsonBody: await client.getStatus(id, { showHistory: q.get('showHistory') === 'true', showHistoryOutput: q.get('showHistoryOutput') === 'true', showInput: q.get('showInput') !== 'false' }) };
        case 'raise':
          await client.raiseEvent(id, q.get('event') ?? 'go', await input(req));
          return { status: 202 };
        case 'terminate':
          await client.terminate(id, reason);
          return { status: 202 };
        case 'suspend':
          await client.suspend(id, reason);
          return { status: 202 };
        case 'resume':
          await client.resume(id, reason);
          return { status: 202 };
        case 'rewind':
          await client.rewind(id, reason);
          return { status: 202 };
        case 'purge':
          return { jsonBody: await client.purgeInstanceHistory(id) };
        case 'all':
          return { jsonBody: ids(await client.getStatusAll()) };
        case 'by': {
          const from = q.get('createdTimeFrom');
          const statuses = q.get('runtimeStatus')?.split(',') as df.OrchestrationRuntimeStatus[] | undefined;
          return { jsonBody: ids(await client.getStatusBy({ createdTimeFrom: from ? new Date(from) : undefined, runtimeStatus: statuses })) };
        }
        case 'signal':
          await client.signalEntity(new df.EntityId('counter', id), q.get('operation') ?? 'add', Number(q.get('amount') ?? 1));
          return { status: 202 };
        case 'entity':
          return { jsonBody: await client.readEntityState(new df.EntityId('counter', id)) };
        case 'payload':
          return { jsonBody: client.createHttpManagementPayload(id) };
        default:
          return { status: 404 };
      }
    } catch (err) {
      return { status: 500, jsonBody: { error: (err as Error).message } };
    }
  },
});

// Runs one batch of operations for one entity through the unmodified durable-functions entity
// handler, then commits the new state, the responses to calling orchestrations and any signals
// the entity sent, in one transaction. Operations of an entity are never run concurrently.
import { randomUUID } from 'node:crypto';
import type { FunctionIndex } from '../host/function-index';
import { FunctionInvocationError, Invoker } from '../host/invoker';
import type { Logger } from '../core/logger';
import type { DurableEngine, Effects } from './engine';
import { event, EventType } from './history';
import type { EntityRequest, InboxMessage } from './store';

interface OperationResult { isError: boolean; result?: string }
interface EntityOutput {
  results: OperationResult[];
  signals: { target: { name: string; key: string }; name: string; input: string }[];
  entityExists: boolean;
  entityState?: string | null;
}

const maxBatch = 50;

export function parseEntityId(id: string): { name: string; key: string } {
  const m = /^@([^@]+)@(.*)$/s.exec(id);
  if (!m) throw new Error(`'${id}' is not an entity id`);
  return { name: m[1], key: m[2] };
}

export const entityInstanceId = (name: string, key: string): string => `@${name.toLowerCase()}@${key}`;

export class EntityWorker {
  operations = 0;

  constructor(
    private readonly engine: DurableEngine,
    private readonly index: FunctionIndex,
    private readonly invoker: Invoker,
    private readonly logger: Logger,
  ) {}

  async run(entityId: string): Promise<void> {
    const store = this.engine.store;
    const messages = store.visibleMessages(entityId, Date.now()).slice(0, maxBatch);
    if (messages.length === 0) return;
    const ops = messages.filter((m): m is InboxMessage & { body: { kind: 'operation'; request: EntityRequest } } => m.body.kind === 'operation');
    const self = parseEntityId(entityId);
    const entity = this.index.entities.get(self.name);
    const current = store.getEntity(entityId);
    let output: EntityOutput;
    if (!entity) {
      output = failAll(ops.length, current, `The function '${self.name}' doesn't exist, is disabled, or is not an entity function.`);
    } else {
      const input = {
        self,
        exists: current?.exists ?? false,
        state: current?.state ?? null,
        batch: ops.map((m) => ({ name: m.body.request.op, input: m.body.request.input, isSignal: m.body.request.signal, id: m.body.request.id })),
      };
      try {
        const response = await this.invoker.invoke(entity.fn, {
          inputData: [{ name: entity.triggerName, data: { string: JSON.stringify(input) } }],
          logContext: { entityId, operations: ops.length },
          reason: 'EntityTrigger',
        });
        const text = response.returnValue?.json ?? response.returnValue?.string;
        output = JSON.parse(String(text)) as EntityOutput;
      } catch (err) {
        if (!(err instanceof FunctionInvocationError)) throw err;
        this.logger.warn(`entity '${entityId}' batch failed; state left unchanged`, { error: err.message });
        output = failAll(ops.length, current, err.message);
      }
    }
    const ts = new Date().toISOString();
    await this.engine.tx((fx: Effects) => {
      store.deleteMessages(messages.map((m) => m.id));
      store.putEntity({ entityId, state: output.entityState ?? null, exists: output.entityExists, updatedAt: ts });
      ops.forEach((m, i) => {
        const req = m.body.request;
        if (req.signal || !req.parent) return;
        const r = output.results[i] ?? { isError: true, result: JSON.stringify('the entity returned no result for this operation') };
        const response = r.isError ? { result: r.result ?? 'null', exceptionType: 'Error' } : { result: r.result };
        this.engine.send(fx, { instanceId: req.parent, executionId: req.parentExecution ?? null, body: { kind: 'event', event: event(EventType.EventRaised, ts, { Name: req.id, Input: JSON.stringify(response) }) }, visibleAt: 0 });
      });
      for (const s of output.signals ?? []) {
        this.engine.send(fx, {
          instanceId: entityInstanceId(s.target.name, s.target.key),
          body: { kind: 'operation', request: { id: randomUUID(), op: s.name, signal: true, input: s.input === '' ? null : s.input, timestamp: ts } },
          visibleAt: 0,
        });
      }
    });
    this.operations += ops.length;
    if (messages.length === maxBatch) this.engine.markReady(entityId);
  }
}

function failAll(n: number, current: { state: string | null; exists: boolean } | undefined, message: string): EntityOutput {
  return {
    results: Array.from({ length: n }, () => ({ isError: true, result: JSON.stringify(message) })),
    signals: [],
    entityExists: current?.exists ?? false,
    entityState: current?.state ?? null,
  };
}

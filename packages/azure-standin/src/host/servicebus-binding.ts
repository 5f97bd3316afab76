// Connects the Service Bus emulator to the host: it provisions the entities (from the shared
// entity file that Bicep also reads, plus those named by triggers), points the app's connection
// settings at the emulator, runs serviceBusTrigger functions and delivers `serviceBus` outputs.
import fs from 'node:fs';
import type { Database } from '../core/sqlite';
import type { RegisteredFunction } from './core-api';
import type { FunctionIndex } from './function-index';
import type { Logger } from '../core/logger';
import type { Invoker } from './invoker';
import { outputValues } from './output-values';
import { isDisabled } from './disabled-functions';
import type { RpcInvocationResponse, RpcTypedData } from '../core/rpc-types';
import type { HostJson } from '../core/settings';
import { timeSpanMs } from '../core/settings';
import { ServiceBusEmulator, EntityConfig, parseEntityConfig } from '../servicebus';
import { childSpan } from '../telemetry/trace-context';


export const defaultConnectionSetting = 'ServiceBusConnection';
const sasKeyName = 'RootManageSharedAccessKey';

export class ServiceBusHostBinding {
  emulator!: ServiceBusEmulator;
  connectionString = '';

  constructor(
    private readonly db: Database,
    private readonly index: FunctionIndex,
    private readonly logger: Logger,
    private readonly hostJson: HostJson,
    private readonly invoker: Invoker,
    private readonly entityFile?: string,
    private readonly sasKey = 'SAS_KEY_VALUE',
  ) {}

  async start(host: string, port: number): Promise<void> {
    const entities = this.entities();
    const sb = this.hostJson.extensions?.serviceBus ?? {};
    this.emulator = new ServiceBusEmulator({ db: this.db, entities, sasKeyName, sasKey: this.sasKey, logger: this.logger });
    const actual = await this.emulator.listen(port, host);
    this.connectionString = this.emulator.connectionString();
    for (const name of this.connectionSettings()) process.env[name] = this.connectionString;
    for (const f of this.index.serviceBus) {
      if (isDisabled(f.fn)) continue;
      this.emulator.addTrigger({
        functionName: f.fn.metadata.name,
        entityPath: f.entityPath,
        cardinality: f.cardinality,
        invoke: async (data, triggerMetadata) => {
          // The sender's trace continues here: the SDK stamps each message with `Diagnostic-Id`.
          await this.invoker.invoke(f.fn, { inputData: [{ name: f.triggerName, data }], triggerMetadata, reason: 'ServiceBusTrigger', logContext: { entity: f.entityPath }, span: childSpan(diagnosticId(triggerMetadata)) });
        },
      }, {
        maxConcurrentCalls: sb.maxConcurrentCalls ?? 16,
        maxMessageBatchSize: sb.maxMessageBatchSize ?? 1000,
        maxAutoLockRenewalMs: timeSpanMs(sb.maxAutoLockRenewalDuration ?? '00:05:00'),
      });
    }
    this.emulator.start();
    this.logger.info(`Service Bus emulator on amqp://${host}:${actual}`, { queues: entities.queues.length, topics: entities.topics.length });
  }

  async stop(): Promise<void> {
    await this.emulator?.close();
  }

  /**
   * `serviceBus` output bindings of any function, whether set as an extra output or returned
   * (output-values.ts). As the extension binds a collector of strings: an array, or a string
   * holding a JSON array, is one message per element; an object becomes its JSON text.
   */
  async deliverOutputs(fn: RegisteredFunction, response: RpcInvocationResponse): Promise<void> {
    for (const [name, value] of outputValues(fn, response)) {
      const b = fn.metadata.bindings[name];
      if (!b || b.type.toLowerCase() !== 'servicebus') continue;
      const path = String(b.queueName ?? b.topicName);
      await this.emulator.send(path, messagesOf(value).map((body) => ({ body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), contentType: typeof body === 'string' ? 'text/plain' : Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' })));
    }
  }

  private connectionSettings(): Set<string> {
    const names = new Set([defaultConnectionSetting]);
    for (const fn of this.index.all) {
      for (const b of Object.values(fn.metadata.bindings)) {
        if (/^servicebus(trigger)?$/i.test(b.type) && typeof b.connection === 'string') names.add(b.connection);
      }
    }
    return names;
  }

  private entities(): EntityConfig {
    const config: EntityConfig = this.entityFile && fs.existsSync(this.entityFile)
      ? parseEntityConfig(JSON.parse(fs.readFileSync(this.entityFile, 'utf8')))
      : { queues: [], topics: [] };
    for (const f of this.index.serviceBus) {
      const b = f.binding;
      if (typeof b.queueName === 'string') {
        if (!config.queues.some((q) => q.name.toLowerCase() === String(b.queueName).toLowerCase())) config.queues.push({ name: b.queueName });
      } else {
        const topicName = String(b.topicName);
        let topic = config.topics.find((t) => t.name.toLowerCase() === topicName.toLowerCase());
        if (!topic) {
          topic = { name: topicName, subscriptions: [] };
          config.topics.push(topic);
        }
        if (!topic.subscriptions.some((s) => s.name.toLowerCase() === String(b.subscriptionName).toLowerCase())) topic.subscriptions.push({ name: String(b.subscriptionName) });
      }
    }
    for (const fn of this.index.all) {
      for (const b of Object.values(fn.metadata.bindings)) {
        if (b.type.toLowerCase() !== 'servicebus') continue;
        if (typeof b.queueName === 'string' && !config.queues.some((q) => q.name.toLowerCase() === String(b.queueName).toLowerCase())) config.queues.push({ name: b.queueName });
        if (typeof b.topicName === 'string' && !config.topics.some((t) => t.name.toLowerCase() === String(b.topicName).toLowerCase())) config.topics.push({ name: b.topicName, subscriptions: [] });
      }
    }
    return config;
  }
}

function diagnosticId(meta: Record<string, RpcTypedData>): string | undefined {
  const json = meta.ApplicationProperties?.json;
  if (json === undefined) return undefined;
  const props = JSON.parse(json) as Record<string, unknown> | null;
  const id = props?.['Diagnostic-Id'];
  return typeof id === 'string' ? id : undefined;
}

/** One output value as messages: an array, or a string that is a JSON array, is one per element. */
function messagesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trimStart().startsWith('[')) {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (Array.isArray(parsed)) return parsed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    } catch {
      // not JSON: one message with this text
    }
  }
  return [value];
}

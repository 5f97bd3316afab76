// Validates the captured registrations as the Functions host does at startup and indexes them
// by trigger kind, so each dispatcher finds its functions without scanning.
import type { RegisteredFunction } from './core-api';
import type { RpcBindingInfo } from '../core/rpc-types';
import { RouteTemplate } from './route-template';
import { hostTimeZone, timerBindingOf } from './timer-trigger';
import { blobBindingsOf } from './blob-binding';
import { isDisabled } from './disabled-functions';

/** Binding types the embedded host runs. */
const supportedTypes = new Set([
  'httptrigger', 'http', 'activitytrigger', 'orchestrationtrigger', 'entitytrigger', 'durableclient',
  'orchestrationclient', 'servicebustrigger', 'servicebus', 'timertrigger', 'blobtrigger', 'blob',
]);
/** Types Azure knows but this host does not emulate: a clear error beats a silent no-op. */
const azureOnlyTypes = new Set([
  'queuetrigger', 'queue', 'eventhubtrigger', 'eventhub', 'eventgridtrigger',
  'eventgrid', 'cosmosdbtrigger', 'cosmosdb', 'table', 'sqltrigger', 'sql', 'mysqltrigger', 'mysql', 'warmuptrigger',
  'webpubsubtrigger', 'webpubsub', 'signalrtrigger', 'signalr', 'sendgrid', 'twiliosms', 'kafkatrigger', 'kafka',
  'rabbitmqtrigger', 'rabbitmq', 'mcptooltrigger', 'mcpresourcetrigger', 'mcpprompttrigger',
]);
const httpMethods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'];

export interface HttpFunction {
  fn: RegisteredFunction;
  route: RouteTemplate;
  methods: Set<string>;
  authLevel: 'anonymous' | 'function' | 'admin';
  triggerName: string;
}

export interface ServiceBusFunction {
  fn: RegisteredFunction;
  triggerName: string;
  binding: RpcBindingInfo;
  entityPath: string;
  cardinality: 'one' | 'many';
}

export interface DurableFunction {
  fn: RegisteredFunction;
  triggerName: string;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(`The app cannot start:\n  - ${problems.join('\n  - ')}`);
  }
}

export class FunctionIndex {
  readonly http: HttpFunction[] = [];
  readonly orchestrators = new Map<string, DurableFunction>();
  readonly activities = new Map<string, DurableFunction>();
  readonly entities = new Map<string, DurableFunction>();
  readonly serviceBus: ServiceBusFunction[] = [];
  readonly timers: DurableFunction[] = [];
  readonly blobTriggers: DurableFunction[] = [];
  readonly all: RegisteredFunction[];
  /** Disabled functions with bindings only Azure has: not indexed at all. */
  readonly skipped: string[] = [];

  constructor(functions: Iterable<RegisteredFunction>) {
    // A disabled function never runs here, so a binding only Azure has does not stop the app:
    // an app runs unmodified with its Azure-only functions switched off by setting.
    const azureOnly = (fn: RegisteredFunction) => Object.values(fn.metadata.bindings ?? {}).some((b) => azureOnlyTypes.has(String(b.type).toLowerCase()));
    this.all = [];
    for (const fn of functions) {
      if (isDisabled(fn) && azureOnly(fn)) this.skipped.push(fn.metadata.name);
      else this.all.push(fn);
    }
    const problems: string[] = [];
    const names = new Map<string, string>();
    for (const fn of this.all) {
      const name = fn.metadata.name;
      if (!/^[a-z][a-z0-9_-]{0,127}$/i.test(name)) problems.push(`function name "${name}" is invalid (letters, digits, "_" and "-", starting with a letter, at most 128)`);
      const lower = name.toLowerCase();
      if (names.has(lower)) problems.push(`function names "${names.get(lower)}" and "${name}" collide (names are case-insensitive)`);
      names.set(lower, name);
      try {
        this.add(fn);
      } catch (err) {
        problems.push(`function "${name}": ${(err as Error).message}`);
      }
    }
    this.checkRouteConflicts(problems);
    if (problems.length > 0) throw new StartupError(problems);
    this.http.sort((a, b) => b.route.precedence - a.route.precedence);
  }

  private add(fn: RegisteredFunction): void {
    const bindings = Object.entries(fn.metadata.bindings ?? {});
    const triggers = bindings.filter(([, b]) => /trigger$/i.test(b.type));
    if (triggers.length !== 1) throw new Error(`expected exactly one trigger binding, found ${triggers.length}`);
    for (const [name, b] of bindings) {
      const type = String(b.type).toLowerCase();
      if (azureOnlyTypes.has(type)) throw new Error(`binding "${name}" of type "${b.type}" runs on Azure but is not emulated by the local stand-in`);
      if (!supportedTypes.has(type)) throw new Error(`binding "${name}" has unknown type "${b.type}"`);
      if (!['in', 'out', 'inout'].includes(b.direction)) throw new Error(`binding "${name}" has invalid direction "${b.direction}"`);
    }
    const [triggerName, trigger] = triggers[0];
    const lower = fn.metadata.name.toLowerCase();
    // Blob paths and connections are checked now, as the host does when it indexes functions.
    blobBindingsOf(fn);
    switch (trigger.type.toLowerCase()) {
      case 'httptrigger': {
        const route = new RouteTemplate(typeof trigger.route === 'string' && trigger.route !== '' ? trigger.route : fn.metadata.name);
        const methods = Array.isArray(trigger.methods) && trigger.methods.length > 0 ? trigger.methods.map((m) => String(m).toUpperCase()) : httpMethods;
        const bad = methods.filter((m) => !httpMethods.includes(m));
        if (bad.length > 0) throw new Error(`unknown HTTP method(s) ${bad.join(', ')}`);
        const authLevel = String(trigger.authLevel ?? 'function').toLowerCase();
        if (!['anonymous', 'function', 'admin'].includes(authLevel)) throw new Error(`invalid authLevel "${trigger.authLevel}"`);
        this.http.push({ fn, route, methods: new Set(methods), authLevel: authLevel as HttpFunction['authLevel'], triggerName });
        break;
      }
      case 'orchestrationtrigger':
        this.orchestrators.set(lower, { fn, triggerName });
        break;
      case 'activitytrigger':
        this.activities.set(lower, { fn, triggerName });
        break;
      case 'entitytrigger':
        this.entities.set(lower, { fn, triggerName });
        break;
      case 'servicebustrigger': {
        const queue = trigger.queueName as string | undefined;
        const topic = trigger.topicName as string | undefined;
        const sub = trigger.subscriptionName as string | undefined;
        if (!queue === !topic) throw new Error('a serviceBusTrigger needs either queueName or topicName');
        if (topic && !sub) throw new Error('a serviceBusTrigger on a topic needs subscriptionName');
        if (trigger.isSessionsEnabled) throw new Error('session-enabled Service Bus triggers are not emulated');
        this.serviceBus.push({
          fn,
          triggerName,
          binding: trigger,
          entityPath: queue ?? `${topic}/Subscriptions/${sub}`,
          cardinality: String(trigger.cardinality ?? 'one').toLowerCase() === 'many' ? 'many' : 'one',
        });
        break;
      }
      case 'timertrigger':
        timerBindingOf(fn, { timeZone: hostTimeZone() });
        this.timers.push({ fn, triggerName });
        break;
      case 'blobtrigger':
        this.blobTriggers.push({ fn, triggerName });
        break;
      default:
        throw new Error(`trigger type "${trigger.type}" is not supported`);
    }
  }

  private checkRouteConflicts(problems: string[]): void {
    for (let i = 0; i < this.http.length; i++) {
      for (let j = i + 1; j < this.http.length; j++) {
        const a = this.http[i];
        const b = this.http[j];
        if (a.route.shape !== b.route.shape) continue;
        const shared = [...a.methods].filter((m) => b.methods.has(m));
        if (shared.length > 0) {
          problems.push(`functions "${a.fn.metadata.name}" and "${b.fn.metadata.name}" both handle ${shared.join('/')} ${a.route.template}`);
        }
      }
    }
  }
}

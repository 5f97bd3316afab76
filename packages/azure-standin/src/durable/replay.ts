// Host-side replay. The Durable extension replays the actions an out-of-process orchestrator
// returns against its own DTFx context: it awaits each top-level action in turn, so sequence
// numbers (EventIds) are allocated in the same order as durable-functions allocates them,
// including the ids taken by retry timers and re-attempts while failures are processed. This
// module reproduces that allocation to decide which actions are new, to build the history events
// that schedule them, and to detect orchestrators that stopped being deterministic.
import { randomUUID } from 'node:crypto';
import { Action, ActionType, inputText, RetryOptions } from './actions';
import { event, EventType, eventTypeName, HistoryEvent } from './history';

export const httpActivityName = 'BuiltIn::HttpActivity';

interface Node {
  action: Action;
  parent?: Node;
  children: Node[];
  done: boolean;
  failed: boolean;
  /** Sequence number of a leaf that takes one (everything but external events). */
  id?: number;
  expected?: Expected;
  retry?: { options: RetryOptions; attempt: number; waitingTimer: boolean; firstScheduledAt?: string; lastFailure?: HistoryEvent };
  /** callHttp with the asynchronous (202 + Location) polling pattern. */
  poll?: boolean;
  /** A polling request is scheduled only once its delay timer has fired. */
  after?: Node;
  /** TaskCompleted.Result of an HTTP leaf. */
  result?: string | null;
}

/** What the history must hold at a sequence number for the orchestration to be deterministic. */
interface Expected {
  type: EventType;
  name?: string;
  build: (id: number) => HistoryEvent;
}

export interface ReplayContext {
  instanceId: string;
  executionId: string;
  /** Timestamp of this episode's OrchestratorStarted: retry timers are due relative to it. */
  now: Date;
}

export interface ReplayResult {
  /** Scheduling events for work that is new in this episode, in sequence order. */
  newEvents: HistoryEvent[];
  /** Set when the history no longer matches what the orchestrator schedules. */
  nonDeterminism?: string;
  /** Retry attempts past their retry timeout, with the failure to report for them instead of running. */
  expiredAttempts: Map<number, HistoryEvent>;
}

export function flattenActions(actions: Action[][] | undefined): Action[] {
  return (actions ?? []).flat();
}

export function replay(history: HistoryEvent[], actions: Action[], ctx: ReplayContext): ReplayResult {
  return new Replayer(history, actions, ctx).run();
}

class Replayer {
  private seq = 0;
  private readonly leaves = new Map<number, Node>();
  private readonly waiters = new Map<string, Node[]>();
  private readonly buffered = new Map<string, number>();
  private readonly entityRequests = new Map<string, Node>();
  private readonly recorded = new Map<number, HistoryEvent>();
  private readonly expiredAttempts = new Map<number, HistoryEvent>();
  private next = 0;
  private current: Node | undefined;
  private started = false;
  private problem: string | undefined;

  constructor(
    private readonly history: HistoryEvent[],
    private readonly actions: Action[],
    private readonly ctx: ReplayContext,
  ) {}

  run(): ReplayResult {
    for (const e of this.history) {
      this.apply(e);
      if (this.problem) break;
    }
    if (!this.started) this.advance();
    const newEvents: HistoryEvent[] = [];
    if (!this.problem) {
      for (let id = 0; id < this.seq; id++) {
        const leaf = this.leaves.get(id)!;
        const rec = this.recorded.get(id);
        if (rec) {
          if (rec.EventType !== leaf.expected!.type || (leaf.expected!.name !== undefined && rec.Name !== leaf.expected!.name)) {
            this.problem = `A previous execution of this orchestration scheduled ${describe(rec)} as task ${id}, but the orchestrator now schedules ${leaf.expected!.name ?? eventTypeName(leaf.expected!.type)} (${eventTypeName(leaf.expected!.type)}). The orchestrator function is not deterministic.`;
            break;
          }
        } else {
          newEvents.push(leaf.expected!.build(id));
        }
      }
      for (const [id, rec] of this.recorded) {
        if (id >= this.seq && !this.problem) {
          this.problem = `A previous execution of this orchestration scheduled ${describe(rec)} as task ${id}, but the orchestrator no longer schedules it. The orchestrator function is not deterministic.`;
        }
      }
    }
    return { newEvents: this.problem ? [] : newEvents, nonDeterminism: this.problem, expiredAttempts: this.expiredAttempts };
  }

  private apply(e: HistoryEvent): void {
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        this.started = true;
        this.advance();
        return;
      case EventType.TaskScheduled:
      case EventType.TimerCreated:
      case EventType.SubOrchestrationInstanceCreated:
      case EventType.EventSent:
        this.record(e);
        return;
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted: {
        const leaf = this.leaves.get(e.TaskScheduledId as number);
        if (leaf) leaf.result = (e.Result as string | null) ?? null;
        this.settle(leaf, false);
        return;
      }
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const leaf = this.leaves.get(e.TaskScheduledId as number);
        if (leaf?.parent?.retry && !leaf.done) leaf.parent.retry.lastFailure = e;
        this.settle(leaf, true);
        return;
      }
      case EventType.TimerFired:
        this.settle(this.leaves.get(e.TimerId as number), false);
        return;
      case EventType.EventRaised:
        this.raise(String(e.Name), e.Input as string | null);
        return;
      default:
        return;
    }
  }

  private record(e: HistoryEvent): void {
    this.recorded.set(e.EventId, e);
    if (e.EventType === EventType.EventSent) {
      const leaf = this.leaves.get(e.EventId);
      if (leaf?.action.actionType === ActionType.CallEntity) {
        try {
          this.entityRequests.set(String((JSON.parse(String(e.Input)) as { id: string }).id), leaf);
        } catch {
          this.problem = `EventSent ${e.EventId} has an unreadable request message`;
        }
      }
    }
    if (e.EventType === EventType.TaskScheduled) {
      const leaf = this.leaves.get(e.EventId);
      const owner = leaf?.parent;
      if (owner?.retry && owner.retry.firstScheduledAt === undefined) owner.retry.firstScheduledAt = e.Timestamp;
    }
  }

  private raise(name: string, input: string | null): void {
    const entityLeaf = this.entityRequests.get(name);
    if (entityLeaf) {
      this.entityRequests.delete(name);
      let failed = false;
      try {
        failed = typeof (JSON.parse(input ?? 'null') as { exceptionType?: unknown })?.exceptionType === 'string';
      } catch {
        failed = false;
      }
      this.settle(entityLeaf, failed);
      return;
    }
    // durable-functions hands a raised event to the most recently registered waiter of that name.
    const list = this.waiters.get(name);
    const waiter = list?.pop();
    if (waiter) {
      if (list!.length === 0) this.waiters.delete(name);
      this.settle(waiter, false);
    } else {
      this.buffered.set(name, (this.buffered.get(name) ?? 0) + 1);
    }
  }

  /** Runs "user code" forward: issues top-level actions until one blocks. */
  private advance(): void {
    while (this.next < this.actions.length) {
      const node = this.build(this.actions[this.next++]);
      if (!node.done) {
        this.current = node;
        return;
      }
    }
    this.current = undefined;
  }

  private build(action: Action, parent?: Node): Node {
    const node: Node = { action, parent, children: [], done: false, failed: false };
    switch (action.actionType) {
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        for (const child of action.compoundActions ?? []) node.children.push(this.build(child, node));
        this.evaluateCompound(node, false);
        return node;
      case ActionType.CallActivityWithRetry:
      case ActionType.CallSubOrchestratorWithRetry:
        node.retry = { options: action.retryOptions!, attempt: 1, waitingTimer: false };
        node.children.push(this.leaf(action, node, this.expectation(action)));
        return node;
      case ActionType.WaitForExternalEvent: {
        const name = String(action.externalEventName);
        const pending = this.buffered.get(name) ?? 0;
        if (pending > 0) {
          if (pending === 1) this.buffered.delete(name);
          else this.buffered.set(name, pending - 1);
          node.done = true;
        } else {
          const list = this.waiters.get(name) ?? [];
          list.push(node);
          this.waiters.set(name, list);
        }
        return node;
      }
      case ActionType.ContinueAsNew:
        node.done = true;
        return node;
      case ActionType.CallHttp:
        if (action.httpRequest?.asynchronousPatternEnabled === false) return this.leaf(action, parent, this.expectation(action));
        node.poll = true;
        node.children.push(this.leaf(action, node, this.expectation(action)));
        return node;
      case ActionType.SignalEntity:
      case ActionType.ScheduledSignalEntity: {
        const leaf = this.leaf(action, parent, this.expectation(action));
        leaf.done = true;
        return leaf;
      }
      default:
        return this.leaf(action, parent, this.expectation(action));
    }
  }

  private leaf(action: Action, parent: Node | undefined, expected: Expected): Node {
    const node: Node = { action, parent, children: [], done: false, failed: false, id: this.seq++, expected };
    this.leaves.set(node.id!, node);
    return node;
  }

  private expectation(action: Action): Expected {
    const ts = this.ctx.now.toISOString();
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        return { type: EventType.TaskScheduled, name: action.functionName, build: (id) => event(EventType.TaskScheduled, ts, { Name: action.functionName, Version: '', Input: inputText(action.input) }, id) };
      case ActionType.CallHttp:
        return { type: EventType.TaskScheduled, name: httpActivityName, build: (id) => event(EventType.TaskScheduled, ts, { Name: httpActivityName, Version: '', Input: JSON.stringify(action.httpRequest) }, id) };
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        return {
          type: EventType.SubOrchestrationInstanceCreated,
          name: action.functionName,
          build: (id) =>
            event(EventType.SubOrchestrationInstanceCreated, ts, { Name: action.functionName, Version: action.version ?? '', InstanceId: action.instanceId || `${this.ctx.executionId}:${id}`, Input: inputText(action.input) }, id),
        };
      case ActionType.CreateTimer:
        return { type: EventType.TimerCreated, build: (id) => event(EventType.TimerCreated, ts, { FireAt: new Date(action.fireAt!).toISOString() }, id) };
      case ActionType.CallEntity:
      case ActionType.SignalEntity:
      case ActionType.ScheduledSignalEntity: {
        const signal = action.actionType !== ActionType.CallEntity;
        return {
          type: EventType.EventSent,
          name: action.operation,
          build: (id) =>
            event(EventType.EventSent, ts, {
              InstanceId: action.instanceId,
              Name: action.operation,
              Input: JSON.stringify({
                id: randomUUID(),
                op: action.operation,
                signal,
                input: inputText(action.input),
                parent: this.ctx.instanceId,
                parentExecution: this.ctx.executionId,
                timestamp: ts,
                ...(action.fireAt ? { due: action.fireAt } : {}),
              }),
            }, id),
        };
      }
      default:
        throw new Error(`unsupported action type ${action.actionType}`);
    }
  }

  private settle(leaf: Node | undefined, failed: boolean): void {
    if (!leaf || leaf.done) return;
    leaf.done = true;
    leaf.failed = failed;
    this.propagate(leaf);
  }

  private propagate(child: Node): void {
    const parent = child.parent;
    if (!parent) {
      if (child === this.current) this.advance();
      return;
    }
    if (parent.done) return;
    if (parent.retry) this.onRetryChild(parent, child);
    else if (parent.poll) this.onPollChild(parent, child);
    else this.evaluateCompound(parent, true);
    if (parent.done) this.propagate(parent);
  }

  private evaluateCompound(node: Node, _fromChild: boolean): void {
    if (node.action.actionType === ActionType.WhenAny) {
      if (node.children.some((c) => c.done)) node.done = true;
    } else {
      if (node.children.some((c) => c.done && c.failed)) {
        node.done = true;
        node.failed = true;
      } else if (node.children.every((c) => c.done)) {
        node.done = true;
      }
    }
  }

  /** DTFx's retry interceptor: a timer after each failed attempt, then a new attempt. */
  private onRetryChild(node: Node, child: Node): void {
    const r = node.retry!;
    if (r.waitingTimer) {
      r.waitingTimer = false;
      if (r.attempt > r.options.maxNumberOfAttempts) {
        node.done = true;
        node.failed = true;
        return;
      }
      const attempt = this.leaf(node.action, node, this.expectation(node.action));
      node.children.push(attempt);
      if (this.retryExpired(r) && r.lastFailure) this.expiredAttempts.set(attempt.id!, r.lastFailure);
      return;
    }
    if (!child.failed) {
      node.done = true;
      return;
    }
    const failures = r.attempt;
    r.attempt++;
    r.waitingTimer = true;
    const last = r.attempt > r.options.maxNumberOfAttempts || this.retryExpired(r);
    const delay = last ? 0 : retryDelay(r.options, failures - 1);
    const fireAt = new Date(this.ctx.now.getTime() + delay).toISOString();
    const ts = this.ctx.now.toISOString();
    node.children.push(this.leaf(node.action, node, { type: EventType.TimerCreated, build: (id) => event(EventType.TimerCreated, ts, { FireAt: fireAt }, id) }));
  }

  /**
   * The extension's CallHttpAsync loop, mirrored by durable-functions' CallHttpWithPollingTask:
   * a 202 with a Location header takes a timer id (Retry-After seconds, or the default sleep) and
   * a new request id (GET of the Location), until a response other than 202 arrives.
   */
  private onPollChild(node: Node, child: Node): void {
    if (child.expected?.type === EventType.TimerCreated) return; // a polling delay fired; the request after it is now due
    if (child.failed) {
      node.done = true;
      node.failed = true;
      return;
    }
    const response = parseHttpResult(child.result);
    const location = response && headerValue(response.headers, 'location');
    if (!response || response.statusCode !== 202 || !location) {
      node.done = true;
      return;
    }
    const retryAfter = Number(headerValue(response.headers, 'retry-after'));
    const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : defaultHttpPollMs;
    const ts = this.ctx.now.toISOString();
    const fireAt = new Date(this.ctx.now.getTime() + delay).toISOString();
    const timer = this.leaf(node.action, node, { type: EventType.TimerCreated, build: (id) => event(EventType.TimerCreated, ts, { FireAt: fireAt }, id) });
    const headers = Object.fromEntries(Object.entries(node.action.httpRequest?.headers ?? {}).filter(([k]) => k.toLowerCase() !== 'content-length'));
    const pollRequest = { method: 'GET', uri: location, headers, tokenSource: node.action.httpRequest?.tokenSource };
    const poll = this.leaf(node.action, node, {
      type: EventType.TaskScheduled,
      name: httpActivityName,
      build: (id) => event(EventType.TaskScheduled, this.ctx.now.toISOString(), { Name: httpActivityName, Version: '', Input: JSON.stringify(pollRequest) }, id),
    });
    poll.after = timer;
    node.children.push(timer, poll);
  }

  private retryExpired(r: NonNullable<Node['retry']>): boolean {
    const timeout = r.options.retryTimeoutInMilliseconds;
    if (!timeout || timeout <= 0 || !r.firstScheduledAt) return false;
    return this.ctx.now.getTime() >= Date.parse(r.firstScheduledAt) + timeout;
  }
}

/** defaultHttpAsyncRequestSleepTimeMillseconds, as the host sends it to the orchestrator. */
export const defaultHttpPollMs = 30_000;

function parseHttpResult(text: string | null | undefined): { statusCode: number; headers: Record<string, string> } | undefined {
  try {
    const r = JSON.parse(text ?? 'null') as { statusCode?: number; headers?: Record<string, string> } | null;
    return r && typeof r.statusCode === 'number' ? { statusCode: r.statusCode, headers: r.headers ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** DTFx RetryOptions: firstRetryInterval * backoffCoefficient^attempt, capped by maxRetryInterval. */
export function retryDelay(options: RetryOptions, attempt: number): number {
  const raw = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, attempt);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap && cap > 0 ? Math.min(raw, cap) : raw;
}

function describe(e: HistoryEvent): string {
  return `${eventTypeName(e.EventType)}${typeof e.Name === 'string' ? ` "${e.Name}"` : ''}`;
}


import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';

const after = (context: OrchestrationContext, ms: number): Date => new Date(context.df.currentUtcDateTime.getTime() + ms);

// Function chaining: each activity's output feeds the next.
df.app.orchestration('chain', function* (context: OrchestrationContext) {
  const cities = (context.df.getInput() as string[] | undefined) ?? ['Tokyo', 'Seattle', 'London'];
  const greetings: string[] = [];
  for (const city of cities) greetings.push(yield context.df.callActivity('hello', city));
  return greetings;
});

// Fan-out/fan-in: n activities in parallel, then their sum.
df.app.orchestration('fanOutFanIn', function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const tasks: Task[] = [];
  for (let i = 1; i <= n; i++) tasks.push(context.df.callActivity('double', i));
  const results = (yield context.df.Task.all(tasks)) as number[];
  return { count: results.length, sum: results.reduce((a, b) => a + b, 0) };
});

interface RetryInput { key: string; failures: number; attempts: number; firstRetryMs: number; backoff?: number }
const retryOptions = (input: RetryInput): df.RetryOptions => {
  const options = new df.RetryOptions(input.firstRetryMs, input.attempts);
  options.backoffCoefficient = input.backoff ?? 1;
  return options;
};

// An activity with a retry policy; an exhausted policy fails the orchestration.
df.app.orchestration('retryActivity', function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RetryInput;
  const run: number = yield context.df.callActivityWithRetry('flaky', retryOptions(input), { key: input.key, failures: input.failures });
  return { run };
});

// A sub-orchestration with a retry policy: each attempt is a new child instance.
df.app.orchestration('retrySubOrchestration', function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RetryInput;
  const result: unknown = yield context.df.callSubOrchestratorWithRetry('flakyChild', retryOptions(input), { key: input.key, failures: input.failures });
  return result;
});

df.app.orchestration('flakyChild', function* (context: OrchestrationContext) {
  const input = context.df.getInput() as { key: string; failures: number };
  const run: number = yield context.df.callActivity('flaky', input);
  return { child: context.df.instanceId, run };
});

// Sub-orchestrations: one with a chosen id, two with generated ones, in parallel.
df.app.orchestration('parentOfChains', function* (context: OrchestrationContext) {
  const named: string[] = yield context.df.callSubOrchestrator('chain', ['Oslo'], `${context.df.instanceId}-named`);
  const parallel = (yield context.df.Task.all([
    context.df.callSubOrchestrator('chain', ['Rome']),
    context.df.callSubOrchestrator('chain', ['Lima', 'Kyiv']),
  ])) as string[][];
  return { named, parallel };
});

// Human interaction: an approval event, or escalation once the deadline passes.
df.app.orchestration('approval', function* (context: OrchestrationContext) {
  const { timeoutMs } = context.df.getInput() as { timeoutMs: number };
  const deadline = context.df.createTimer(after(context, timeoutMs));
  const approval = context.df.waitForExternalEvent('Approval');
  context.df.setCustomStatus('waiting for approval');
  const winner: Task = yield context.df.Task.any([approval, deadline]);
  if (winner === approval) {
    deadline.cancel();
    return { approved: true, by: approval.result };
  }
  const escalation: string = yield context.df.callActivity('escalate', 'manager');
  return { approved: false, escalation };
});

// Monitor: poll a job on a durable timer until it is done or the polls run out.
df.app.orchestration('monitor', function* (context: OrchestrationContext) {
  const input = context.df.getInput() as { key: string; readyAfter: number; intervalMs: number; maxPolls: number };
  for (let poll = 1; poll <= input.maxPolls; poll++) {
    const job = (yield context.df.callActivity('checkJob', { key: input.key, readyAfter: input.readyAfter })) as { done: boolean };
    context.df.setCustomStatus({ poll });
    if (job.done) return { done: true, polls: poll };
    yield context.df.createTimer(after(context, input.intervalMs));
  }
  return { done: false, polls: input.maxPolls };
});

// Eternal orchestration: one activity per generation, continueAsNew with the next input.
df.app.orchestration('eternal', function* (context: OrchestrationContext) {
  const input = context.df.getInput() as { generation: number; last: number; carried: string[] };
  const greeting: string = yield context.df.callActivity('hello', `generation ${input.generation}`);
  if (input.generation < input.last) {
    context.df.continueAsNew({ generation: input.generation + 1, last: input.last, carried: [...input.carried, greeting] });
    return undefined;
  }
  return { generation: input.generation, carried: [...input.carried, greeting] };
});

// Entities from an orchestration: a signal (one-way), then calls (request and response).
df.app.orchestration('entityUser', function* (context: OrchestrationContext) {
  const counter = new df.EntityId('counter', context.df.getInput() as string);
  context.df.signalEntity(counter, 'add', 1);
  const afterAdd: number = yield context.df.callEntity(counter, 'add', 10);
  const value: number = yield context.df.callEntity(counter, 'get');
  return { afterAdd, value };
});

// Waits for "go" and returns its data, with a custom status before and after.
df.app.orchestration('waitForGo', function* (context: OrchestrationContext) {
  context.df.setCustomStatus({ stage: 'waiting' });
  const data: unknown = yield context.df.waitForExternalEvent('go');
  context.df.setCustomStatus({ stage: 'done' });
  return data;
});

// A chain whose middle step fails its first run: what a rewind is for.
df.app.orchestration('failingChain', function* (context: OrchestrationContext) {
  const key = context.df.getInput() as string;
  const first: string = yield context.df.callActivity('hello', `${key} first`);
  const run: number = yield context.df.callActivity('flaky', { key, failures: 1 });
  const last: string = yield context.df.callActivity('hello', `${key} last`);
  return { first, run, last };
});

// A parent whose child fails: a rewind of the parent rewinds the child.
df.app.orchestration('failingParent', function* (context: OrchestrationContext) {
  const before: string = yield context.df.callActivity('hello', `${context.df.instanceId} parent`);
  const child: unknown = yield context.df.callSubOrchestrator('failingChain', `${context.df.instanceId}-key`, `${context.df.instanceId}-child`);
  return { before, child };
});

// The shape of a history: two activities, a timer, a sub-orchestration, an external event.
df.app.orchestration('historyShape', function* (context: OrchestrationContext) {
  const a: string = yield context.df.callActivity('hello', 'Tokyo');
  const b: string = yield context.df.callActivity('hello', 'Seattle');
  yield context.df.createTimer(after(context, 50));
  const c: string[] = yield context.df.callSubOrchestrator('chain', ['Paris'], `${context.df.instanceId}-child`);
  const approval: unknown = yield context.df.waitForExternalEvent('Approval');
  return [a, b, c, approval];
});

// An activity held by a gate: work that stays pending until the test opens it.
df.app.orchestration('gatedWork', function* (context: OrchestrationContext) {
  const key = context.df.getInput() as string;
  const passed: string = yield context.df.callActivity('gated', key);
  return passed;
});

// A typed contract between an orchestrator and its activities: one definition names an activity
// and fixes its input and answer, the activity registers against it and the orchestrator calls
// it, so neither side repeats a bare name or casts an answer.
import * as df from 'durable-functions';
import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';
import { activityRetry } from '../wiring/activity-retry';

export interface Activity<I, O> {
  readonly name: string;
  /** Type carriers only (never set). */
  readonly input?: I;
  readonly answer?: O;
}

export const activity = <I, O>(name: string): Activity<I, O> => ({ name });

/** Registers the function behind an activity of the contract. */
export function registerActivity<I, O>(a: Activity<I, O>, handler: (input: I) => Promise<NoInfer<O>>): void {
  df.app.activity(a.name, { handler: (input: I) => handler(input) });
}

/** Calls an activity with the saga's retry policy (or `retry`) and answers its typed result. */
export function* call<I, O>(context: OrchestrationContext, a: Activity<I, O>, input: I, retry: RetryOptions = activityRetry): Generator<Task, O, unknown> {
  return (yield context.df.callActivityWithRetry(a.name, retry, input)) as O;
}

/** One attempt, for calls that are repeated on durable timers anyway. */
export function* callOnce<I, O>(context: OrchestrationContext, a: Activity<I, O>, input: I): Generator<Task, O, unknown> {
  return (yield context.df.callActivity(a.name, input)) as O;
}

/** The task of a call, for Task.all/any and for code that yields tasks itself. */
export const task = <I, O>(context: OrchestrationContext, a: Activity<I, O>, input: I): Task => context.df.callActivityWithRetry(a.name, activityRetry, input);

// Waiting for external events in a loop, in a way durable-functions 3.5 cannot lose them.
//
// Why this exists (node_modules/durable-functions/lib/src):
// - TaskOrchestrationExecutor.trackOpenTask pushes a waitForExternalEvent task onto the
//   per-name list `openEvents` every time it is yielded (also inside Task.any), and nothing
//   removes it when the Task.any is won by another task. setTaskValue pops the newest entry and
//   completes it even if that task completed already. A waiter reused after a timer won therefore
//   leaves a stale copy behind, which later swallows an event.
// - CompoundTask (Task.any / Task.all) never looks at children that completed before it was
//   built, so `Task.any([timer, waiterThatAlreadyGotItsEvent])` ignores that event.
// Both are the library's, so the fix is a usage pattern: every waiter is yielded exactly once,
// abandoned waiters are remembered (they still receive events), and an event that arrived while
// no wait was in progress is returned without yielding.
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';

/**
 * All waits for one event name in one orchestration. Create ONE per event name per
 * orchestration function run (at its top) and share it with every loop that waits for that name:
 * waiters left behind by one loop can receive events that another loop must see.
 */
export class EventWaits<T = unknown> {
  /** Waiters yielded once and not yet consumed, oldest first. */
  private readonly open: Task[] = [];

  constructor(
    private readonly context: OrchestrationContext,
    readonly name: string,
  ) {}

  /**
   * The payload of an event that completed one of our waiters while nobody was waiting on it
   * (raised between two waits, or after a timer won), consumed; undefined when there is none.
   * durable-functions 3.5 hands each event to the newest open waiter (as the .NET in-process
   * extension's stack does; test/integration/runtime-external-events.test.ts pins it), so among
   * completed waiters the newest holds the earliest event: newest first is arrival order.
   */
  takeArrived(): { value: T } | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const waiter = this.open[i];
      if (waiter.isCompleted) {
        this.open.splice(i, 1);
        return { value: waiter.result as T };
      }
    }
    return undefined;
  }

  /** A fresh waiter for exactly one Task.any. Internal to firstOf. */
  arm(): Task {
    const waiter = this.context.df.waitForExternalEvent(this.name);
    this.open.push(waiter);
    return waiter;
  }

  /** Consumes `winner` if it is ours. Internal to firstOf. */
  claim(winner: unknown): { value: T } | undefined {
    const i = this.open.indexOf(winner as Task);
    if (i < 0) return undefined;
    this.open.splice(i, 1);
    return { value: (winner as Task).result as T };
  }
}

export function eventWaits<T = unknown>(context: OrchestrationContext, name: string): EventWaits<T> {
  return new EventWaits<T>(context, name);
}

/** What ended a firstOf wait: the timer, or an event of one of the sources (with its payload; compare `from` to tell which). */
export type Woken = { readonly kind: 'timer' } | { readonly kind: 'event'; readonly from: EventWaits<unknown>; readonly value: unknown };

/**
 * Waits for the first of: an event of any of `sources` (earlier sources win when several events
 * are already there), or `timer`. Use instead of `yield context.df.Task.any([...waiters, timer])`:
 *
 *     const woke = yield* firstOf(context, [cancel, retryNow], timer);
 *     if (woke.kind === 'timer') ... else if (woke.from === cancel) ...
 *
 * When an event wins, `timer` is cancelled. An event that is already there is returned without
 * yielding, so `timer` is then never even scheduled (durable-functions only schedules yielded
 * tasks). Replay-safe: whether an event is already there depends only on the history replayed so
 * far. Never yield an EventWaits' waiters yourself: firstOf must be the only wait for its names.
 */
export function* firstOf(context: OrchestrationContext, sources: readonly EventWaits<unknown>[], timer?: TimerTask): Generator<Task, Woken, unknown> {
  for (const from of sources) {
    const arrived = from.takeArrived();
    if (arrived) {
      timer?.cancel();
      return { kind: 'event', from, value: arrived.value };
    }
  }
  const armed = sources.map((s) => s.arm());
  const winner = yield context.df.Task.any(timer ? [...armed, timer] : armed);
  if (timer && winner === timer) return { kind: 'timer' };
  for (const from of sources) {
    const won = from.claim(winner);
    if (won) {
      timer?.cancel();
      return { kind: 'event', from, value: won.value };
    }
  }
  throw new Error(`firstOf: Task.any returned a task that is neither the timer nor a waiter of ${sources.map((s) => s.name).join(', ')}`);
}

// Function-level retry policies (`retry` in app.timer(...) and friends, or host.json's root
// `retry`), run as the WebJobs SDK runs them (FunctionExecutorExtensions.TryExecuteAsync): with
// a policy, every attempt gets a RetryContext, the first with retryCount 0; after a failure,
// unless retryCount has reached maxRetryCount (-1: retry forever), the count goes up, the
// failure becomes RetryContext.exception, and the next attempt waits for the strategy's delay.
// fixedDelay waits delayInterval each time; exponentialBackoff (RandomizedExponentialBackoffStrategy)
// waits minimumInterval first, then minimumInterval + 2^(n-1) · minimumInterval · rand(0.8, 1.2),
// capped at maximumInterval. Stopping the host cancels a pending delay and ends the loop.
// Azure honours these policies for timer, Kafka, Event Hubs and Cosmos DB triggers only.
import type { RpcRetryContext } from '../core/rpc-types';
import { timeSpanMs } from '../core/settings';

export interface RetryPolicy {
  strategy: 'fixedDelay' | 'exponentialBackoff';
  /** -1 retries forever. */
  maxRetryCount: number;
  delayMs: number;
  minimumMs: number;
  maximumMs: number;
}

/** Trigger types whose bindings carry the SDK's [SupportsRetry]. */
const retryingTriggers = new Set(['timertrigger', 'kafkatrigger', 'eventhubtrigger', 'cosmosdbtrigger']);

export function supportsRetry(triggerType: string): boolean {
  return retryingTriggers.has(triggerType.toLowerCase());
}

/**
 * A policy from a function's `retryOptions` (as @azure/functions registers it: `strategy` or
 * `retryStrategy`, durations as `{ seconds, nanos }`) or from host.json's `retry` (durations as
 * TimeSpan text); undefined when there is none. Throws on an invalid one, as the host does at
 * indexing.
 */
export function parseRetryPolicy(options: unknown): RetryPolicy | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw new Error('retry options must be an object');
  const o = options as Record<string, unknown>;
  const strategyText = String(o.strategy ?? o.retryStrategy ?? '').replace(/[_\s-]/g, '').toLowerCase();
  const strategy = strategyText === 'fixeddelay' ? 'fixedDelay' : strategyText === 'exponentialbackoff' ? 'exponentialBackoff' : undefined;
  if (!strategy) throw new Error(`unknown retry strategy "${String(o.strategy ?? o.retryStrategy)}" (fixedDelay or exponentialBackoff)`);
  const maxRetryCount = Number(o.maxRetryCount);
  if (!Number.isInteger(maxRetryCount) || maxRetryCount < -1) throw new Error(`retry maxRetryCount must be an integer >= -1, not ${String(o.maxRetryCount)}`);
  const policy: RetryPolicy = { strategy, maxRetryCount, delayMs: 0, minimumMs: 0, maximumMs: 0 };
  if (strategy === 'fixedDelay') {
    policy.delayMs = durationMs(o.delayInterval, 'delayInterval');
  } else {
    policy.minimumMs = durationMs(o.minimumInterval, 'minimumInterval');
    policy.maximumMs = durationMs(o.maximumInterval, 'maximumInterval');
    if (policy.minimumMs > policy.maximumMs) throw new Error('retry minimumInterval must not be greater than maximumInterval');
  }
  return policy;
}

function durationMs(value: unknown, name: string): number {
  if (typeof value === 'number' && value >= 0) return value;
  if (typeof value === 'string') return timeSpanMs(value);
  if (value && typeof value === 'object') {
    const d = value as { seconds?: number | string; nanos?: number; hours?: number; minutes?: number; milliseconds?: number };
    // A protobuf Duration (what the library sends) or the library's own Duration object.
    const ms = Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6 + Number(d.hours ?? 0) * 3_600_000 + Number(d.minutes ?? 0) * 60_000 + Number(d.milliseconds ?? 0);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw new Error(`retry ${name} is missing or invalid`);
}

/** The delays before each retry, as a stateful generator (the SDK keeps one strategy per execution). */
export function delaySequence(policy: RetryPolicy, random: () => number = Math.random): () => number {
  if (policy.strategy === 'fixedDelay') return () => policy.delayMs;
  let current = 0;
  let exponent = 0;
  let started = false;
  return () => {
    if (started && current === policy.maximumMs) return current;
    started = true;
    let interval = policy.minimumMs;
    if (exponent > 0) {
      const factor = 0.8 + random() * 0.4;
      interval += factor * 2 ** (exponent - 1) * policy.minimumMs;
    }
    if (interval < policy.maximumMs) {
      current = interval;
      exponent++;
    } else {
      current = policy.maximumMs;
    }
    return current;
  };
}

export interface RetryRunOptions {
  /** Waits `ms`; resolves false when cancelled (the host stopping). */
  sleep(ms: number): Promise<boolean>;
  log?(level: 'information' | 'warning', message: string): void;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds or the policy gives up; returns the last error (undefined
 * on success). Without a policy there is one attempt and no RetryContext.
 */
export async function runWithRetries(
  policy: RetryPolicy | undefined,
  attempt: (retryContext: RpcRetryContext | undefined) => Promise<void>,
  options: RetryRunOptions,
): Promise<unknown> {
  const context: RpcRetryContext | undefined = policy ? { retryCount: 0, maxRetryCount: policy.maxRetryCount } : undefined;
  const nextDelay = policy ? delaySequence(policy, options.random) : undefined;
  for (;;) {
    try {
      await attempt(context ? { ...context } : undefined);
      return undefined;
    } catch (err) {
      if (!policy || !context || !nextDelay) return err;
      if (policy.maxRetryCount !== -1 && context.retryCount === policy.maxRetryCount) {
        options.log?.('warning', `All function retries have failed. Final attempt: '${context.retryCount}'.`);
        return err;
      }
      context.retryCount++;
      const e = err instanceof Error ? err : new Error(String(err));
      const stack = (err as { stackTrace?: string }).stackTrace ?? e.stack;
      context.exception = { message: e.message, stackTrace: stack ?? '' };
      const delay = nextDelay();
      options.log?.('information', `Waiting for \`${formatTimeSpan(delay)}\` before retrying function execution. Next attempt: '${context.retryCount}'. Max retry count: '${policy.maxRetryCount}'`);
      if (!(await options.sleep(delay))) {
        options.log?.('information', 'Exiting retry loop: the host is stopping.');
        return err;
      }
    }
  }
}

/** Milliseconds as a .NET TimeSpan prints ("00:00:10", "00:00:01.5000000"). */
export function formatTimeSpan(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const frac = Math.round((ms - totalSeconds * 1000) * 10_000);
  const days = Math.floor(totalSeconds / 86_400);
  const h = Math.floor((totalSeconds % 86_400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days > 0 ? `${days}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}${frac > 0 ? `.${String(frac).padStart(7, '0')}` : ''}`;
}

// The retry policy of every saga activity, how an activity's final failure is reported, and the
// backoff of retries on durable timers once that policy has given up.
import * as df from 'durable-functions';

// Transient failures (PayPal 5xx, carrier down, Cosmos throttling) are retried with backoff;
// what is still failing after that is handled as a failure of the stage.
export const activityRetry = new df.RetryOptions(1000, 5);
activityRetry.backoffCoefficient = 2;
activityRetry.maxRetryIntervalInMilliseconds = 30_000;

/** Durable-timer retries double their wait up to an hour (or the configured first wait, if longer). */
export const nextRecoveryDelay = (delaySeconds: number, firstSeconds: number): number => Math.min(delaySeconds * 2, Math.max(3600, firstSeconds));

/** The first line of an activity failure, without the stack durable-functions appends. */
export const failureText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);

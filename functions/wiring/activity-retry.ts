// The retry policy of every saga activity, and how an activity's final failure is reported.
import * as df from 'durable-functions';

// Transient failures (PayPal 5xx, carrier down, Cosmos throttling) are retried with backoff;
// what is still failing after that is handled as a failure of the stage.
export const activityRetry = new df.RetryOptions(1000, 5);
activityRetry.backoffCoefficient = 2;
activityRetry.maxRetryIntervalInMilliseconds = 30_000;

/** The first line of an activity failure, without the stack durable-functions appends. */
export const failureText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);

import * as df from 'durable-functions';
import { passGate, recordEffect } from './effects';

df.app.activity('hello', {
  handler: (name: string) => {
    recordEffect('hello', { name });
    return `Hello ${name}!`;
  },
});

df.app.activity('double', { handler: (n: number) => n * 2 });

// Fails its first `failures` runs for a key, then returns the number of the run that succeeded.
const runs = new Map<string, number>();
df.app.activity('flaky', {
  handler: (input: { key: string; failures: number }) => {
    const run = (runs.get(input.key) ?? 0) + 1;
    runs.set(input.key, run);
    recordEffect('flaky', { key: input.key, run });
    if (run <= input.failures) throw new Error(`flaky run ${run} of ${input.key} failed`);
    return run;
  },
});

// A job that is done from its `readyAfter`-th check on.
const checks = new Map<string, number>();
df.app.activity('checkJob', {
  handler: (input: { key: string; readyAfter: number }) => {
    const n = (checks.get(input.key) ?? 0) + 1;
    checks.set(input.key, n);
    recordEffect('checkJob', { key: input.key, check: n });
    return { done: n >= input.readyAfter, checks: n };
  },
});

df.app.activity('escalate', {
  handler: (who: string) => {
    recordEffect('escalate', { who });
    return `escalated to ${who}`;
  },
});

// Held until the test opens its gate: work that is visibly pending.
df.app.activity('gated', {
  handler: async (key: string) => {
    await passGate(key);
    return `passed ${key}`;
  },
});

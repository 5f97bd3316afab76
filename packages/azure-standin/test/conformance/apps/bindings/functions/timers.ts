// Timer triggers: every two seconds; once a year but on startup; and one that fails its first
// two attempts under a fixed-delay retry policy (the shape of the Functions e2e test app's).
import { app, InvocationContext, Timer } from '@azure/functions';
import { recordEffect } from './effects';

app.timer('everyTwoSeconds', {
  schedule: '*/2 * * * * *',
  handler: async (timer: Timer, context: InvocationContext): Promise<void> => {
    recordEffect('tick', { isPastDue: timer.isPastDue, scheduleStatus: timer.scheduleStatus ?? null, invocationId: context.invocationId });
  },
});

app.timer('yearlyOnStartup', {
  schedule: '0 0 0 1 1 *',
  runOnStartup: true,
  handler: async (timer: Timer): Promise<void> => {
    recordEffect('startup', { isPastDue: timer.isPastDue, next: timer.scheduleStatus?.next ?? null });
  },
});

app.timer('retriedTimer', {
  schedule: '*/3 * * * * *',
  retry: { strategy: 'fixedDelay', delayInterval: { milliseconds: 200 }, maxRetryCount: 3 },
  handler: async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const retryCount = context.retryContext?.retryCount;
    recordEffect('retry', { retryCount: retryCount ?? null, maxRetryCount: context.retryContext?.maxRetryCount ?? null });
    if ((retryCount ?? 0) < 2) throw new Error(`attempt ${retryCount} fails`);
  },
});

// Worker script for the service-thread tests: a counter that can also fail to start, refuse a
// query, never answer, or end its thread unasked (as the Cosmos emulator does when it cannot store).
import { serveInThread } from '../../src/core/service-thread';

serveInThread<{ greeting: string }, { count: number; refuse: never; hang: never; exit70: never }>(async (data) => {
  if ((data as { failStart?: boolean }).failStart) throw new Error('cannot open the store');
  let n = 0;
  return {
    ready: { greeting: 'ready' },
    queries: {
      count: () => ++n,
      refuse: () => {
        throw new Error('not now');
      },
      hang: () => new Promise<never>(() => undefined),
      exit70: () => process.exit(70),
    },
    close: () => Promise.resolve(),
  };
});

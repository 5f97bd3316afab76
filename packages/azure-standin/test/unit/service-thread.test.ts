// core/service-thread: a service in a worker thread is started, asked, closed, and its death
// unasked is reported rather than left to hang its callers.
import path from 'node:path';
import { startServiceThread } from '../../src/core/service-thread';

type Queries = { count: number; refuse: never; hang: never; exit70: never };
const script = path.resolve(__dirname, '..', 'support', 'thread-service.js');
const start = (data: unknown, onUnexpectedExit: (err: Error) => void = () => undefined) =>
  startServiceThread<{ greeting: string }, Queries>({ name: 'Test service', script, data, onUnexpectedExit });

test('reports ready, answers queries in order, refuses with the error, closes', async () => {
  const unexpected = jest.fn();
  const { ready, thread } = await start({}, unexpected);
  expect(ready).toEqual({ greeting: 'ready' });
  expect(await Promise.all([thread.ask('count'), thread.ask('count')])).toEqual([1, 2]);
  await expect(thread.ask('refuse')).rejects.toThrow('not now');
  await Promise.all([thread.close(), thread.close()]);
  await expect(thread.ask('count')).rejects.toThrow('Test service thread has ended');
  expect(unexpected).not.toHaveBeenCalled();
});

test('a service that cannot start fails the start with its reason', async () => {
  const unexpected = jest.fn();
  await expect(start({ failStart: true }, unexpected)).rejects.toThrow(/Test service thread exited with code 1: cannot open the store/);
  expect(unexpected).not.toHaveBeenCalled();
});

test('a thread that ends unasked is reported once, and waiting callers fail instead of hanging', async () => {
  const reported = new Promise<Error>((resolve) => void start({}, resolve).then(({ thread }) => {
    const waiting = thread.ask('hang');
    void thread.ask('exit70').catch(() => undefined);
    void waiting.then(
      () => resolve(new Error('the hanging query was answered')),
      (err: Error) => expect(err.message).toMatch(/exited with code 70/),
    );
  }));
  expect((await reported).message).toBe('Test service thread exited with code 70');
});

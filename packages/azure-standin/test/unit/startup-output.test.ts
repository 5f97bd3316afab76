// What `azure-standin start` prints: quiet by default (the summary, warnings and errors), every
// line with --verbose, exactly the level --log-level names; a busy port is one line naming the flag.
import net from 'node:net';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Logger } from '../../src/core/logger';
import { resolveLogLevel } from '../../src/core/log-options';
import { isAddressInUse, listenError, PortInUseError } from '../../src/core/port-in-use';
import { describeFunctionCounts } from '../../src/host/function-summary';

function printed(level: ReturnType<typeof resolveLogLevel>): string[] {
  const lines: string[] = [];
  const log = new Logger(level, (l) => lines.push(l));
  log.summary('SUMMARY');
  log.info("Executed 'Functions.x' (Succeeded)");
  log.debug('debug line');
  log.warn('a warning');
  log.error('an error');
  return lines.map((l) => l.replace(/^\[[^\]]+\]/, '').trim());
}

test('quiet by default: the summary, warnings and errors only', () => {
  expect(resolveLogLevel({})).toBe('warning');
  expect(printed(resolveLogLevel({}))).toEqual(['SUMMARY', 'WARNING a warning', 'ERROR an error']);
});

test('--verbose adds information lines (every invocation); --log-level wins over both', () => {
  expect(printed(resolveLogLevel({ verbose: true }))).toEqual(['SUMMARY', "Executed 'Functions.x' (Succeeded)", 'WARNING a warning', 'ERROR an error']);
  expect(resolveLogLevel({ verbose: true, logLevel: 'error' })).toBe('error');
  expect(printed(resolveLogLevel({ logLevel: 'debug' }))).toContain('DEBUG debug line');
  expect(printed(resolveLogLevel({ logLevel: 'none' }))).toEqual([]);
  expect(() => resolveLogLevel({ logLevel: 'loud' })).toThrow('invalid --log-level "loud"');
});

test('the function count names each kind, and the parts add up', () => {
  expect(describeFunctionCounts({ total: 36, http: 14, orchestrations: 9, activities: 11, entities: 0, serviceBus: 2, timers: 0, blobs: 0 }))
    .toBe('36 functions: 14 HTTP, 9 orchestrations, 11 activities, 2 Service Bus');
  expect(describeFunctionCounts({ total: 2, http: 0, orchestrations: 1, activities: 1, entities: 0, serviceBus: 0, timers: 0, blobs: 0 })).toBe('2 functions: 1 orchestration, 1 activity');
  expect(describeFunctionCounts({ total: 0, http: 0, orchestrations: 0, activities: 0, entities: 0, serviceBus: 0, timers: 0, blobs: 0 })).toBe('0 functions');
});

test('a busy port becomes one line naming the flag that picks another', () => {
  const err = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:7071'), { code: 'EADDRINUSE' });
  expect(isAddressInUse(err)).toBe(true);
  expect(isAddressInUse(new Error('Azurite exited with 1:\nError: listen EADDRINUSE: address already in use'))).toBe(true);
  const mapped = listenError(err, 7071, '--port');
  expect(mapped).toBeInstanceOf(PortInUseError);
  expect((mapped as Error).message).toBe('Port 7071 is in use; start with --port <free port> (or --port 0 to pick one)');
  const other = new Error('EACCES');
  expect(listenError(other, 80, '--port')).toBe(other);
});

test('the command line exits non-zero with that line and no stack trace when the port is taken', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const cli = path.resolve(__dirname, '..', '..', 'src', 'cli.js');
    const app = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'runtime-app');
    const r = spawnSync(process.execPath, [cli, 'start', '--app-root', app, '--port', String(port), '--data-dir', path.join(os.tmpdir(), `con-port-${process.pid}`)], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`Port ${port} is in use; start with --port <free port> (or --port 0 to pick one)`);
    expect(r.stderr).not.toContain('    at ');
  } finally {
    blocker.close();
  }
});

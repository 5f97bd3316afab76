// Runs Azurite's Blob service as a child of the embedded runtime, and ends it when the runtime
// ends, even by SIGKILL: the IPC channel to the parent closes, which no signal can skip.
process.on('disconnect', () => process.exit(0));
// Azurite's shutdown waits for its HTTP server to close, which waits for every keep-alive
// client connection (ours included) to end: close them, so a stop takes milliseconds.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require('node:http') as typeof import('node:http');
const close = http.Server.prototype.close;
http.Server.prototype.close = function (this: import('node:http').Server, ...args: Parameters<typeof close>) {
  const result = close.apply(this, args);
  this.closeAllConnections();
  return result;
};
// After a graceful close Azurite's timers keep the process alive: exit once it reports closed
// (its metadata is saved by then), or after 5 s whatever happens.
const log = console.log;
console.log = (...args: unknown[]) => {
  log(...args);
  if (String(args[0]).includes('successfully closed')) process.exit(0);
};
process.once('SIGTERM', () => setTimeout(() => process.exit(0), 5000).unref());
// Azurite keeps blob metadata in LokiJS and saves it every 5 s: a SIGKILL loses the blobs written
// in the last 5 s, which Azure never does. Saving every 50 ms (only when something changed)
// narrows that to the moments right after a write.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Loki = require('lokijs') as { prototype: { configureOptions: (options: Record<string, unknown> | undefined, initial: boolean) => void } };
const configure = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (this: unknown, options: Record<string, unknown> | undefined, initial: boolean) {
  return configure.call(this, options?.autosave ? { ...options, autosaveInterval: 50 } : options, initial);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('azurite/dist/src/blob/main.js');

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
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('azurite/dist/src/blob/main.js');

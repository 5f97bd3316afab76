// A busy port is the most common reason `start` fails: say which port and which flag picks another
// one, in one line, instead of Node's EADDRINUSE stack.

export class PortInUseError extends Error {
  constructor(readonly port: number, readonly flag: string) {
    super(`Port ${port} is in use; start with ${flag} <free port> (or ${flag} 0 to pick one)`);
    this.name = 'PortInUseError';
  }
}

/** Whether an error (from listen, or a service thread or child process reporting one) is EADDRINUSE. */
export function isAddressInUse(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  return e.code === 'EADDRINUSE' || (typeof e.message === 'string' && e.message.includes('EADDRINUSE'));
}

/** The error to report for a failed listen on `port`, which the `flag` option sets. */
export function listenError(err: unknown, port: number, flag: string): unknown {
  return isAddressInUse(err) ? new PortInUseError(port, flag) : err;
}

// Who counts as "on this machine" for the local stand-ins (/dev/, /sim/, /local-issuer/,
// /emails): they hold every customer's mail and the simulated payment APIs, so a host
// listening on 0.0.0.0 must not serve them to the network.
import type { Socket } from 'node:net';

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.'));
}

/**
 * Loopback, or a connection whose two ends share one address: a process on this machine calling
 * the address the host listens on (with `--host 192.0.2.2` the app's own SDKs call 192.0.2.2).
 */
export function isLocalCaller(socket: Pick<Socket, 'remoteAddress' | 'localAddress'>): boolean {
  return isLoopback(socket.remoteAddress) || (socket.remoteAddress !== undefined && socket.remoteAddress === socket.localAddress);
}

/** Whether a --host value only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || isLoopback(h);
}

// Who may use the console. It acts with an admin token (cancel, refund, approve), so it answers
// only callers on this machine, only under a Host this machine answers to (a DNS-rebinding page
// cannot borrow the browser), and takes form posts only from its own pages (no cross-site forms).
import type http from 'node:http';

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && (address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.'));
}

/** Loopback, or both ends on one address: a browser on this machine calling the address the host listens on. */
export function isLocalCaller(socket: { remoteAddress?: string; localAddress?: string }): boolean {
  return isLoopbackAddress(socket.remoteAddress) || (socket.remoteAddress !== undefined && socket.remoteAddress === socket.localAddress);
}

/** The Host header names this machine: a loopback name, or the host the stand-in listens on. */
export function isLocalHost(hostHeader: string | undefined, baseUrl: string): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase();
  if (host === new URL(baseUrl).host.toLowerCase()) return true;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || isLoopbackAddress(name);
}

/**
 * A state-changing request from the console's own pages: browsers send Origin with form posts
 * (and Sec-Fetch-Site); a post from another site's page names that site.
 */
export function isSameOriginPost(headers: http.IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return origin === `http://${headers.host ?? ''}` || origin === `https://${headers.host ?? ''}`;
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

export type Refusal = { status: 403; reason: string };

export function refusal(req: http.IncomingMessage, baseUrl: string): Refusal | undefined {
  if (!isLocalCaller(req.socket)) return { status: 403, reason: 'The order console answers only callers on this machine.' };
  if (!isLocalHost(req.headers.host, baseUrl)) return { status: 403, reason: 'The order console answers only under this machine\'s own host names.' };
  if (req.method === 'POST' && !isSameOriginPost(req.headers)) return { status: 403, reason: 'Forms are accepted only from the console\'s own pages.' };
  return undefined;
}

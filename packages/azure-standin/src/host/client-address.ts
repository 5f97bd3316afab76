// The caller's address as App Service's front end hands it to a function app: the front end
// terminates the client's connection, so the app only learns the address from headers it adds.
// Observed on App Service: CLIENT-IP and X-Forwarded-For "ip:port", X-Client-IP "ip",
// X-Client-Port "port". The front end overwrites CLIENT-IP so it cannot be spoofed; the
// embedded host replaces all four with the socket's address, so a caller's own values never reach
// the app.

/** Lower case, as Node and the worker's header map carry them. */
export const clientAddressHeaderNames = ['client-ip', 'x-client-ip', 'x-client-port', 'x-forwarded-for'] as const;

export function clientAddressHeaders(remoteAddress: string | undefined, remotePort: number | undefined): Record<(typeof clientAddressHeaderNames)[number], string> | undefined {
  if (!remoteAddress || remotePort === undefined) return undefined;
  // A dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d; the front end shows a.b.c.d.
  const ip = remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
  const endpoint = ip.includes(':') ? `[${ip}]:${remotePort}` : `${ip}:${remotePort}`;
  return { 'client-ip': endpoint, 'x-client-ip': ip, 'x-client-port': String(remotePort), 'x-forwarded-for': endpoint };
}

// Verifies the HMAC-SHA256 request signature Azure Communication Services expects from
// access-key clients (what @azure/communication-common's access key policy produces):
//   Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<b64>
//   signature = base64(HMAC-SHA256(base64decode(accessKey), "VERB\n<path>?<query>\n<date>;<host>;<contentHash>"))
// where contentHash = base64(SHA-256(body)) is also sent as x-ms-content-sha256.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** How far x-ms-date may be from the simulator's clock, as the service allows. */
const maxClockSkewMs = 15 * 60_000;

export interface SignedRequest {
  method: string;
  /** The URL as received: its pathname and query are signed. */
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Undefined when the request is authentic, otherwise why not (for the 401 message). */
export function hmacAuthFailure(req: SignedRequest, accessKey: string, now: number): string | undefined {
  const auth = header(req.headers, 'authorization');
  const date = header(req.headers, 'x-ms-date');
  const contentHash = header(req.headers, 'x-ms-content-sha256');
  const host = header(req.headers, 'host');
  const match = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(auth ?? '');
  if (!match) return 'missing or malformed HMAC-SHA256 Authorization header';
  if (match[1].toLowerCase() !== 'x-ms-date;host;x-ms-content-sha256') return `unsupported SignedHeaders "${match[1]}"`;
  if (!date || !contentHash || !host) return 'x-ms-date, x-ms-content-sha256 and host are required';
  const sentAt = Date.parse(date);
  if (Number.isNaN(sentAt) || Math.abs(now - sentAt) > maxClockSkewMs) return 'x-ms-date is missing, malformed or too far from the current time';
  if (createHash('sha256').update(req.body).digest('base64') !== contentHash) return 'x-ms-content-sha256 does not match the body';
  // The same normalization as the client: URLSearchParams re-serializes the query.
  const query = req.url.searchParams.toString();
  const pathAndQuery = query ? `${req.url.pathname}?${query}` : req.url.pathname;
  const stringToSign = `${req.method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${contentHash}`;
  const expected = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(match[2], 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the request signature is invalid';
  return undefined;
}

function header(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

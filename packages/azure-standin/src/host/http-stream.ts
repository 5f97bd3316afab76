// HTTP streaming, as the host does it for a worker that reports the `HttpUri` capability (the
// library does when the app calls `app.setup({ enableHttpStream: true })`): the request itself is
// forwarded to the library's own HTTP server at that URI (DefaultHttpProxyService, YARP) with the
// header x-ms-invocation-id, before the invocation is sent with an empty HTTP trigger value. The
// library pairs the two by that id, hands the function a request whose body is the forwarded
// stream, and writes the function's response to the forwarded request's response, which the host
// copies to the caller as it arrives. Neither body is buffered here.
import dns from 'node:dns/promises';
import http from 'node:http';
import { Transform, pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger';
import { continueBody, refuseTooLarge } from './request-body';

/** DefaultHttpProxyService: ForwarderRequestConfig.ActivityTimeout = 240 s. */
export const proxyActivityTimeoutMs = 240_000;

/** How long after the invocation a response head may still arrive before the host says why none came. */
const responseGraceMs = 1000;

/** Hop-by-hop headers, which a proxy does not forward (RFC 9110 7.6.1; YARP's list). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);

/** Header pairs (rawHeaders) less hop-by-hop ones, those the Connection header names, and `drop`. */
function endToEnd(rawHeaders: string[], drop: Set<string> = new Set()): [string, string][] {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') for (const n of rawHeaders[i + 1].split(',')) named.add(n.trim().toLowerCase());
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i].toLowerCase();
    if (!hopByHop.has(lower) && !named.has(lower) && !drop.has(lower)) pairs.push([rawHeaders[i], rawHeaders[i + 1]]);
  }
  return pairs;
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  invocationId: string;
  /** FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, enforced on the streamed body as Kestrel does. */
  bodyLimit: number;
}

/** One forwarded request, from the caller to the library's proxy and its response back. */
export class Forwarding {
  /** The library's response head has been copied to the caller. */
  responded = false;
  private settled = false;
  private lateResponse: NodeJS.Timeout | undefined;
  private readonly proxyReq: http.ClientRequest;

  constructor(
    proxy: HttpStreamProxy,
    private readonly o: ForwardRequest,
    private readonly logger: Logger,
  ) {
    const { req, res, invocationId } = o;
    const remote = req.socket.remoteAddress ?? '';
    // YARP's defaults: the original Host is not forwarded (the destination's is sent), and
    // X-Forwarded-For/Proto/Host are set; the library builds the request URL from the last two.
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of endToEnd(req.rawHeaders, new Set(['host', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-ms-invocation-id']))) {
      const key = Object.keys(headers).find((h) => h.toLowerCase() === k.toLowerCase()) ?? k;
      const prev = headers[key];
      headers[key] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    headers.host = proxy.target.host;
    headers['x-forwarded-for'] = remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
    headers['x-forwarded-proto'] = 'http';
    if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
    headers['x-ms-invocation-id'] = invocationId;
    const proxyReq = http.request({ host: proxy.address, port: proxy.target.port, method: req.method, path: req.url, headers, agent: proxy.agent });
    this.proxyReq = proxyReq;
    proxyReq.setTimeout(proxyActivityTimeoutMs, () => this.timedOut());
    proxyReq.on('response', (pres) => this.respond(pres));
    proxyReq.on('error', (err) => {
      if (this.settled) return;
      this.settled = true;
      this.logger.warn(`HTTP streaming: forwarding the request to the worker's proxy failed (Id=${invocationId})`, { error: err.message });
      // YARP answers a failed forward with 502 while nothing has been sent yet.
      if (!res.headersSent) res.writeHead(502, { 'content-length': 0 }).end();
      else res.destroy();
    });
    // A caller that goes away: the forwarded request goes too (the function's body stream fails).
    res.once('close', () => {
      if (!res.writableFinished) this.abort();
    });
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      proxyReq.end();
      return;
    }
    // The head goes out at once, as YARP sends it: the function starts before the body's first byte.
    proxyReq.flushHeaders();
    continueBody(req, res);
    let size = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        size += chunk.length;
        if (size <= o.bodyLimit) return done(null, chunk);
        // Kestrel's MaxRequestBodySize, hit while the body streams: the read fails (the function's
        // body stream with it) and the caller gets 413 if no response has started.
        this.tooLarge(counter);
        done();
      },
    });
    // pipe, not pipeline: dropping the forwarded request must leave the caller's connection open
    // for the 413.
    req.pipe(counter).pipe(proxyReq);
  }

  /**
   * Called once the invocation has ended. The library writes a streamed response before the
   * invocation completes, so one that has not begun to arrive shortly after will not come: the
   * caller is told why in the log (and, as on Azure, waits for the proxy's activity timeout).
   */
  invocationEnded(functionName: string, failed: boolean): void {
    if (this.responded || this.settled) return;
    this.lateResponse = setTimeout(() => {
      if (this.responded || this.settled) return;
      const why = failed
        ? 'the function failed, so the library never answers the forwarded request (azure-functions-nodejs-library#324)'
        : 'the function returned no HTTP response, so the library never answers the forwarded request';
      this.logger.warn(
        `HTTP streaming: 'Functions.${functionName}' (Id=${this.o.invocationId}) ended without a response: ${why}. As on Azure, the caller waits until the host's proxy gives up after ${proxyActivityTimeoutMs / 1000} s without activity, then gets 504.`,
      );
    }, responseGraceMs);
    this.lateResponse.unref();
  }

  /** Drops the forwarded request (the host is stopping, or the caller left). */
  abort(): void {
    this.settled = true;
    this.proxyReq.destroy();
  }

  private respond(pres: IncomingMessage): void {
    const { res } = this.o;
    if (this.settled || res.destroyed) {
      pres.destroy();
      return;
    }
    this.responded = true;
    clearTimeout(this.lateResponse);
    res.writeHead(pres.statusCode ?? 502, endToEnd(pres.rawHeaders).flat());
    pipeline(pres, res, (err) => {
      // A response that breaks off midway: the caller's connection is cut, as YARP does.
      if (err && !res.destroyed) res.destroy();
    });
  }

  private timedOut(): void {
    if (this.settled) return;
    this.settled = true;
    this.proxyReq.destroy();
    const { res } = this.o;
    this.logger.warn(`HTTP streaming: no activity on the forwarded request for ${proxyActivityTimeoutMs / 1000} s (Id=${this.o.invocationId}): 504`);
    if (!res.headersSent) res.writeHead(504, { 'content-length': 0 }).end();
    else res.destroy();
  }

  private tooLarge(counter: Transform): void {
    if (this.settled) return;
    this.settled = true;
    const { req, res } = this.o;
    req.unpipe(counter);
    req.pause();
    this.proxyReq.destroy();
    if (!res.headersSent) refuseTooLarge(req, res);
    else res.destroy();
  }
}

/** The library's proxy server, at the HttpUri the programming model reported. */
export class HttpStreamProxy {
  /** The host's YARP client keeps connections to the worker's proxy open and does not cap them. */
  readonly agent = new http.Agent({ keepAlive: true });
  private readonly forwardings = new Set<Forwarding>();

  private constructor(
    readonly target: URL,
    /** The target host resolved once ("localhost"), rather than for every request. */
    readonly address: string,
    private readonly logger: Logger,
  ) {}

  static async create(httpUri: string, logger: Logger): Promise<HttpStreamProxy> {
    const target = new URL(httpUri);
    const { address } = await dns.lookup(target.hostname);
    return new HttpStreamProxy(target, address, logger);
  }

  forward(o: ForwardRequest): Forwarding {
    const f = new Forwarding(this, o, this.logger);
    this.forwardings.add(f);
    o.res.once('close', () => this.forwardings.delete(f));
    return f;
  }

  close(): void {
    for (const f of this.forwardings) f.abort();
    this.agent.destroy();
  }
}

// Reads a request body under a size cap without ever holding more than the cap: a declared
// Content-Length over it is refused before any byte is read, a chunked body stops being read as
// soon as it passes it. The refusal closes the connection, so the client stops sending.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BodyRead = Buffer | 'too-large' | 'aborted';

const continued = new WeakSet<ServerResponse>();

/**
 * Sends `100 Continue` if the client waits for it, once. The server defers it to here (see
 * EmbeddedHost), so a client announcing too large a body is refused before it sends any.
 */
export function continueBody(req: IncomingMessage, res: ServerResponse): void {
  if (continued.has(res) || !/^100-continue$/i.test(String(req.headers.expect ?? ''))) return;
  continued.add(res);
  res.writeContinue();
}

export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<BodyRead> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve('too-large');
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  continueBody(req, res);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop pulling from the socket: the rest stays in the kernel until the socket is destroyed.
      req.pause();
      chunks.length = 0;
      finish('too-large');
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    // A client that goes away mid-body: nothing to answer.
    const onAbort = () => finish('aborted');
    req.on('data', onData).once('end', onEnd).once('error', onAbort).once('close', onAbort);
  });
}

/** How long a refused upload's socket stays half-closed, so the client can read the 413. */
const lingerMs = 2000;

/**
 * A bare 413 (as Kestrel answers) with `Connection: close`; the socket is then half-closed and
 * destroyed after a grace period, and what the client is still sending is never read (it waits
 * in the kernel's receive buffer, not in this process).
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  // Node destroys a `Connection: close` socket as soon as its FIN is written. With unread upload
  // data that is a reset, and a client still writing then fails with ECONNRESET before it reads
  // the 413. So this socket lingers: FIN after the response, destroyed a little later.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), lingerMs).unref();
  };
  // After the response Node drains a body nobody has read, for as long as the socket lives. A
  // read (dropping what is buffered) marks it consumed instead: at most one more buffer's worth
  // is pulled in, then the socket stops being read.
  req.read();
  res.writeHead(413, { connection: 'close', 'content-length': 0 }).end();
}

// The HTTP conformance app's functions and hooks, registered by both apps (buffered/ and
// streaming/): the same code, run on the host's two HTTP paths. Each function reports what the
// library handed it, so the tests can compare that with what Azure hands a function.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ReadableStream } from 'node:stream/web';
import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { patternChunk } from './pattern';

const anonymous = 'anonymous' as const;

/** What the function saw of its request. */
app.http('inspect', {
  route: 'inspect/{id:int}/{name=anon}/{*rest}',
  methods: ['GET', 'POST'],
  authLevel: anonymous,
  handler: async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : Buffer.alloc(0);
    return {
      jsonBody: {
        invocationId: context.invocationId,
        method: req.method,
        url: req.url,
        params: req.params,
        query: [...req.query.entries()],
        a: { get: req.query.get('a'), getAll: req.query.getAll('a') },
        headers: Object.fromEntries(req.headers.entries()),
        bodyLength: body.length,
      },
    };
  },
});

/** A quick answer for the concurrency test: the number it was called with, after a random pause. */
app.http('echoNumber', {
  route: 'echo/{n:int}',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    await new Promise((r) => setTimeout(r, Math.random() * 20));
    return { jsonBody: { n: Number(req.params.n), invocationId: context.invocationId } };
  },
});

/** One of each kind of cookie, and a Set-Cookie header set directly. */
app.http('cookies', {
  route: 'cookies',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (): Promise<HttpResponseInit> => ({
    headers: { 'set-cookie': 'direct=1' },
    cookies: [
      { name: 'plain', value: 'v' },
      { name: 'full', value: 'a b;c,d=é', domain: 'example.com', path: '/p', expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)), maxAge: 3.9, secure: true, httpOnly: true, sameSite: 'Strict' },
      { name: 'lax', value: '1', sameSite: 'Lax' },
      { name: 'none', value: '1', sameSite: 'None', secure: true },
      { name: 'gone', value: '', maxAge: 0 },
    ],
    body: 'cookies',
  }),
});

app.http('throws', {
  route: 'throws',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (): Promise<HttpResponseInit> => {
    throw new Error('kaboom');
  },
});

app.http('throwsString', {
  route: 'throws-string',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (): Promise<HttpResponseInit> => {
    throw 'a string, not an Error';
  },
});

app.http('nothing', {
  route: 'nothing',
  methods: ['GET'],
  authLevel: anonymous,
  // Returns nothing at all (typed as the response the library expects, which it then lacks).
  handler: async () => undefined as unknown as HttpResponseInit,
});

/** Upload progress by id: bytes the function has read so far, or how the read ended. */
const uploads = new Map<string, { bytes: number; done?: boolean; error?: string }>();

/** Reads the body chunk by chunk, publishing its progress, and answers its length and SHA-256. */
app.http('upload', {
  route: 'upload/{id}',
  methods: ['POST'],
  authLevel: anonymous,
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => {
    const state = { bytes: 0 } as { bytes: number; done?: boolean; error?: string };
    uploads.set(req.params.id, state);
    const hash = createHash('sha256');
    try {
      for await (const chunk of req.body ?? []) {
        state.bytes += (chunk as Uint8Array).length;
        hash.update(chunk as Uint8Array);
      }
    } catch (err) {
      state.error = (err as Error).message;
      throw err;
    }
    state.done = true;
    return { jsonBody: { bytes: state.bytes, sha256: hash.digest('hex') } };
  },
});

app.http('progress', {
  route: 'progress/{id}',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => ({ jsonBody: uploads.get(req.params.id) ?? { started: false } }),
});

/** Downloads that wait, after their first chunk, until released. */
const holds = new Map<string, { promise: Promise<void>; release: () => void }>();
function hold(id: string) {
  let h = holds.get(id);
  if (!h) {
    let release = () => {};
    const promise = new Promise<void>((r) => (release = r));
    h = { promise, release };
    holds.set(id, h);
  }
  return h;
}

/**
 * `size` bytes of the pattern, produced only as the library reads them; with `hold`, the rest waits
 * for release/{hold}; with `paced`, a timer tick between chunks. (The library writes a streamed
 * response without waiting for the socket, httpProxy.ts sendProxyResponse, so an unpaced body is
 * produced as fast as it can be and piles up in the library's response, in the worker's memory.)
 */
app.http('download', {
  route: 'download',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => {
    const size = Number(req.query.get('size'));
    const holdId = req.query.get('hold');
    const paced = req.query.has('paced');
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (sent >= size) return controller.close();
        if (sent > 0 && holdId) await hold(holdId).promise;
        if (paced) await new Promise((r) => setTimeout(r, 1));
        const n = Math.min(64 * 1024, size - sent);
        controller.enqueue(patternChunk(sent, n));
        sent += n;
      },
    });
    return { headers: { 'content-type': 'application/octet-stream' }, body };
  },
});

app.http('release', {
  route: 'release/{id}',
  methods: ['POST'],
  authLevel: anonymous,
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => {
    hold(req.params.id).release();
    return { status: 202 };
  },
});

// Hooks. They act on the hook* functions only, so the other tests see plain invocations.
interface HookEvent {
  invocationId: string;
  event: string;
  [k: string]: unknown;
}
const hookEvents: HookEvent[] = [];
const appStartSeen: { token?: string } = {};

const isHooked = (ctx: { invocationContext: InvocationContext }) => ctx.invocationContext.functionName.startsWith('hook');
const header = (inputs: unknown[], name: string) => (inputs[0] as HttpRequest).headers.get(name);

app.hook.appStart((ctx) => {
  const token = `start-${Math.random().toString(36).slice(2)}`;
  ctx.hookData.token = token;
  appStartSeen.token = token;
});

app.hook.appTerminate((ctx) => {
  const file = process.env.CONFORMANCE_TERMINATE_FILE;
  if (file) fs.writeFileSync(file, JSON.stringify({ token: ctx.hookData.token ?? null, keys: Object.keys(ctx.hookData) }));
});

app.hook.preInvocation(async (ctx) => {
  if (!isHooked(ctx)) return;
  const invocationId = ctx.invocationContext.invocationId;
  // Awaited: the handler must not start before this hook is done.
  await new Promise((r) => setTimeout(r, 20));
  ctx.hookData.fromPre = invocationId;
  let readOnly = false;
  try {
    (ctx as unknown as { hookData: unknown }).hookData = {};
  } catch (err) {
    readOnly = err instanceof TypeError;
  }
  hookEvents.push({ invocationId, event: 'pre', inputIsRequest: ctx.inputs[0] instanceof HttpRequest, hookDataReadOnly: readOnly });
  if (header(ctx.inputs, 'x-replace-handler')) {
    ctx.functionHandler = async () => ({ body: 'from the replaced handler' });
  }
  if (header(ctx.inputs, 'x-pre-throw')) throw new Error('preInvocation hook failed');
});

app.hook.preInvocation((ctx) => {
  if (!isHooked(ctx)) return;
  hookEvents.push({ invocationId: ctx.invocationContext.invocationId, event: 'pre2', sawFirstPre: ctx.hookData.fromPre === ctx.invocationContext.invocationId });
});

app.hook.postInvocation((ctx) => {
  if (!isHooked(ctx)) return;
  const invocationId = ctx.invocationContext.invocationId;
  hookEvents.push({
    invocationId,
    event: 'post',
    resultIsNull: ctx.result === null,
    resultIsUndefined: ctx.result === undefined,
    result: ctx.result ?? null,
    errorIsNull: ctx.error === null,
    errorIsUndefined: ctx.error === undefined,
    error: ctx.error instanceof Error ? ctx.error.message : ctx.error ?? null,
    sameHookData: ctx.hookData.fromPre === invocationId,
  });
  const action = header(ctx.inputs, 'x-post');
  if (action === 'replace-result') ctx.result = { status: 299, body: 'from the postInvocation hook' };
  if (action === 'clear-error') {
    ctx.error = null;
    ctx.result = { status: 203, body: 'recovered' };
  }
});

/** The function the hooks act on: records its own run, and throws when asked. */
app.http('hookTarget', {
  route: 'hooked',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (req: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    hookEvents.push({ invocationId: context.invocationId, event: 'handler' });
    if (req.headers.get('x-throw')) throw new Error('handler failed');
    return { jsonBody: { handled: true } };
  },
});

/** What the hooks recorded (not itself hooked: its name does not start with "hook"). */
app.http('readHooks', {
  route: 'hook-events',
  methods: ['GET'],
  authLevel: anonymous,
  handler: async (): Promise<HttpResponseInit> => ({ jsonBody: { events: hookEvents, appStart: appStartSeen } }),
});

// The local console (/console): server-rendered pages over the stand-in's own state, for a person
// at this machine. It answers callers on this machine only (it can terminate instances and delete
// messages), and refuses cross-site form posts, so a web page open in the same browser cannot
// drive it. Actions are POST forms answered with 303 to the page to show next (post/redirect/get).
import type http from 'node:http';
import type { ConsoleLink } from '../app-config';
import type { DurableEngine } from '../durable/engine';
import type { FunctionIndex } from '../host/function-index';
import { isLocalCaller } from '../host/local-caller';
import type { ServiceBusEmulator } from '../servicebus';
import type { LocalTelemetry } from '../telemetry/local-telemetry';
import { homePage } from './home-page';
import { builtInNav, html, Html, layout, NavLink } from './html';
import { InstanceAction, instanceActions, instanceHref, instancePage, instancesPage, runInstanceAction } from './instances-pages';
import { entityHref, messagesPage, runMessageAction, serviceBusPage } from './servicebus-pages';
import { operationPage, telemetryPage } from './telemetry-pages';

export interface ConsoleSources {
  appName: string;
  appRoot: string;
  baseUrl: string;
  routePrefix: string;
  index: FunctionIndex;
  engine: DurableEngine;
  serviceBus: ServiceBusEmulator;
  serviceBusConnection: string;
  telemetry: LocalTelemetry;
  services(): { name: string; where: string }[];
  links: ConsoleLink[];
}

const maxFormBytes = 1024 * 1024;

/** Whether a path is the console's (or the root, which leads to it). */
export const isConsolePath = (pathname: string): boolean => pathname === '/' || pathname === '/console' || pathname.startsWith('/console/');

export class ConsoleService {
  constructor(private readonly s: ConsoleSources) {}

  private nav(): NavLink[] {
    return [...builtInNav, ...this.s.links];
  }

  /** Answers a console request (callers have checked isConsolePath). */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!isLocalCaller(req.socket)) return text(res, 403, 'The console answers only callers on this machine.');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    if (p === '/') return redirect(res, '/console');
    if (req.method === 'POST') {
      if (crossSite(req)) return text(res, 403, 'Cross-site form posts are refused.');
      const form = await readForm(req);
      if (!form) return text(res, 413, 'Form too large.');
      return this.post(res, p, form);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Method not allowed.');
    const notice = url.searchParams.get('notice');
    const page = (title: string, here: string, body: Html, status = 200) =>
      send(res, status, layout({ title, nav: this.nav(), here, body, notice: notice ? { text: notice, error: url.searchParams.get('error') === '1' } : undefined }));
    if (p === '/console') {
      return page('Console', '/console', homePage({
        appName: this.s.appName, appRoot: this.s.appRoot, baseUrl: this.s.baseUrl, routePrefix: this.s.routePrefix, index: this.s.index,
        services: this.s.services(), serviceBus: this.s.serviceBusConnection, links: this.s.links, instances: this.s.engine.store.countByStatus(),
      }));
    }
    if (p === '/console/instances') return page('Durable instances', '/console/instances', instancesPage(this.s.engine, url.searchParams));
    const instance = /^\/console\/instances\/([^/]+)$/.exec(p);
    if (instance) {
      const id = decodeURIComponent(instance[1]);
      const row = this.s.engine.store.getInstance(id);
      if (!row) return page('Instance not found', '/console/instances', html`<p>No instance <code>${id}</code>. <a href="/console/instances">All instances</a></p>`, 404);
      return page(`Instance ${id}`, '/console/instances', instancePage(this.s.engine, row));
    }
    if (p === '/console/servicebus') return page('Service Bus', '/console/servicebus', serviceBusPage(this.s.serviceBus));
    if (p === '/console/servicebus/messages') {
      const path = url.searchParams.get('entity') ?? '';
      const entity = this.s.serviceBus.entities.get(path);
      if (!entity || entity.kind === 'topic') return page('Not found', '/console/servicebus', html`<p>No queue or subscription <code>${path}</code>. <a href="/console/servicebus">All entities</a></p>`, 404);
      const dead = url.searchParams.get('queue') === 'deadletter';
      return page(`${entity.path}${dead ? ' — dead-letter queue' : ''}`, '/console/servicebus', messagesPage(this.s.serviceBus, entity.path, dead ? 'deadLetter' : 'active'));
    }
    if (p === '/console/telemetry') return page('Telemetry', '/console/telemetry', telemetryPage(this.s.telemetry, url.searchParams));
    const op = /^\/console\/telemetry\/operations\/([^/]+)$/.exec(p);
    if (op) {
      const id = decodeURIComponent(op[1]);
      return page(`Operation ${id}`, '/console/telemetry', operationPage(this.s.telemetry, id));
    }
    return page('Not found', '', html`<p>No console page at <code>${p}</code>. <a href="/console">Console home</a></p>`, 404);
  }

  private async post(res: http.ServerResponse, p: string, form: URLSearchParams): Promise<void> {
    const action = /^\/console\/instances\/([^/]+)\/([a-z-]+)$/.exec(p);
    if (action && instanceActions.has(action[2])) {
      const id = decodeURIComponent(action[1]);
      const r = await runInstanceAction(this.s.engine, id, action[2] as InstanceAction, form);
      return redirect(res, withNotice(r.purged ? '/console/instances' : instanceHref(id), r.text, r.error));
    }
    if (p === '/console/servicebus/resubmit' || p === '/console/servicebus/delete') {
      const r = runMessageAction(this.s.serviceBus, p.endsWith('resubmit') ? 'resubmit' : 'delete', form);
      const entity = form.get('entity') ?? '';
      const back = this.s.serviceBus.entities.get(entity) ? entityHref(entity, p.endsWith('resubmit') || form.get('queue') === 'deadletter' ? 'deadLetter' : 'active') : '/console/servicebus';
      return redirect(res, withNotice(back, r.text, r.error));
    }
    return text(res, 404, 'No such console action.');
  }
}

function withNotice(path: string, notice: string, error?: boolean): string {
  return `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}${error ? '&error=1' : ''}`;
}

/**
 * A browser says where a form post comes from (Sec-Fetch-Site, Origin): anything but this
 * origin is refused. Tools that send neither header (curl) are on this machine anyway.
 */
function crossSite(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxFormBytes) return undefined;
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), 'x-frame-options': 'DENY' }).end(body);
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0 }).end();
}

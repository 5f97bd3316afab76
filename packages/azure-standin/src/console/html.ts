// HTML for the local console: escaping, a `html` tagged template that escapes every interpolated
// value unless it is already markup (Html), and the page layout every console page shares.
// Everything is inline (one small stylesheet, no scripts from elsewhere): the console works offline.

/** Markup that is already safe: produced by `html`, `raw` or the helpers here. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | HtmlValue[];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function render(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Escapes every interpolated value (arrays are joined, null/undefined/false print nothing). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Html(out);
}

/** Trusted markup, e.g. a constant stylesheet. Never pass anything that came from a request or from stored data. */
export const raw = (text: string): Html => new Html(text);

export interface NavLink {
  title: string;
  href: string;
  description?: string;
}

/** The console's own pages; the app's links (ctx.consoleLink) follow them. */
export const builtInNav: NavLink[] = [
  { title: 'Home', href: '/console' },
  { title: 'Durable instances', href: '/console/instances' },
  { title: 'Service Bus', href: '/console/servicebus' },
  { title: 'Telemetry', href: '/console/telemetry' },
  { title: 'Mailbox', href: '/dev/emails.html?all=true' },
];

const style = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:.5rem 1.5rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
header a{color:#d0d7de;text-decoration:none}header a:hover,header a.here{color:#fff;text-decoration:underline}
header strong{margin-right:1rem}main{padding:1rem 1.5rem;max-width:90rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;background:#fff;width:100%;margin:.3rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eaeef2;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,monospace;max-height:24rem;overflow:auto}
code{font:12px ui-monospace,monospace}
.ok{color:#116329}.fail{color:#cf222e;font-weight:600}.wait{color:#9a6700}.muted{color:#57606a}
tr.ok,tr.fail,tr.wait{color:inherit;font-weight:normal}
tr.ok td:first-child{border-left:4px solid #2da44e}tr.fail td:first-child{border-left:4px solid #cf222e}tr.wait td:first-child{border-left:4px solid #d4a72c}
.badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:12px;background:#eaeef2}
.badge.Completed{background:#dafbe1}.badge.Failed,.badge.Terminated{background:#ffebe9}.badge.Running,.badge.Pending{background:#ddf4ff}.badge.Suspended{background:#fff8c5}
form.inline{display:inline}form.box{background:#fff;border:1px solid #d0d7de;padding:.6rem;margin:.4rem 0;border-radius:6px}
fieldset{border:1px solid #d0d7de;background:#fff;margin:.5rem 0}label{margin-right:.8rem}
input,select,textarea,button{font:inherit}button{cursor:pointer}button.danger{color:#cf222e}
.flash{background:#ddf4ff;border:1px solid #54aeff;padding:.5rem;border-radius:6px}.flash.error{background:#ffebe9;border-color:#ff8182}
.bar{position:relative;height:14px;background:#f0f3f6}.bar span{position:absolute;top:0;height:14px;background:#54aeff;min-width:2px}
.bar span.fail{background:#ff8182}.bar span.trace{background:#8c959f}
`;

/** A complete console page: header with the navigation, an optional notice, the content. */
export function layout(o: { title: string; nav: NavLink[]; here: string; body: Html; notice?: { text: string; error?: boolean } }): string {
  const links = o.nav.map((l) => html`<a href="${l.href}" class="${l.href === o.here ? 'here' : ''}" title="${l.description ?? ''}">${l.title}</a>`);
  const notice = o.notice ? html`<p class="flash ${o.notice.error ? 'error' : ''}" role="status">${o.notice.text}</p>` : '';
  return `<!doctype html>
${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${o.title} · azure-standin console</title>
<style>${raw(style)}</style></head>
<body><header><strong>azure-standin</strong>${links}</header>
<main><h1>${o.title}</h1>${notice}${o.body}</main></body></html>`.text}`;
}

/** JSON text, pretty-printed when it parses; stored inputs and outputs are JSON strings. */
export function prettyJson(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(value) as unknown, null, 2);
  } catch {
    return value;
  }
}

/** A value as JSON for <pre>, whatever its type. */
export const jsonText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? '');

/** ISO time without the date noise of the same day: still sortable and exact. */
export function time(iso: string | number | undefined): string {
  if (iso === undefined) return '';
  const d = typeof iso === 'number' ? new Date(iso) : new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace('Z', '');
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A link to the same page with some query parameters changed. */
export function withQuery(path: string, q: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(q);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  const s = next.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A page in the console's look for an app's own console pages (served by a service it mounted):
 * `body` is markup the app built (escape what it interpolates: `html` does), `links` its own
 * console links, so the navigation matches the console's.
 */
export function consolePage(title: string, body: Html | string, links: NavLink[] = []): string {
  return layout({ title, nav: [...builtInNav, ...links], here: '', body: typeof body === 'string' ? raw(body) : body });
}

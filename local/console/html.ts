// HTML for the local console pages: a tagged template that escapes every interpolated value
// unless it is already HTML, the page layout (a little inline CSS, no scripts, nothing loaded from
// elsewhere) and the small formatters the pages share.
import { currencies, format } from '../../domain/money';
import type { Money } from '../../domain/money';

/** Markup that is already safe: built by `html`, never from a caller's string. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolated = Html | string | number | boolean | null | undefined | readonly Interpolated[];

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function render(v: Interpolated): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return esc(String(v));
}

/** `html\`<p>${text}</p>\``: strings are escaped, Html and arrays of Html are kept as they are. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

export interface Flash {
  ok: boolean;
  text: string;
  detail?: string;
}

const css = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}header a.here{text-decoration:underline}
main{padding:1rem 1.4rem;max-width:72rem}
h1{font-size:1.4rem;margin:.4rem 0 1rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
section.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.35rem .6rem;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tfoot td,tfoot th{border-bottom:none}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85em;background:#ddf4ff;color:#0969da;white-space:nowrap}
.badge.good{background:#dafbe1;color:#1a7f37}.badge.bad{background:#ffebe9;color:#cf222e}.badge.warn{background:#fff8c5;color:#9a6700}
.flash{padding:.6rem 1rem;border-radius:6px;margin:.6rem 0}.flash.ok{background:#dafbe1}.flash.err{background:#ffebe9}
ol.timeline{list-style:none;margin:0;padding:0 0 0 1rem;border-left:3px solid #d0d7de}
ol.timeline li{position:relative;padding:.3rem 0 .6rem .8rem}
ol.timeline li::before{content:"";position:absolute;left:-1.55rem;top:.55rem;width:.8rem;height:.8rem;border-radius:50%;background:#0969da;border:2px solid #fff}
ol.timeline time{color:#57606a;font-size:.85em;display:block}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dl.facts dt{color:#57606a}dl.facts dd{margin:0}
form.inline{display:inline}button{padding:.35rem .8rem;border-radius:6px;border:1px solid #d0d7de;background:#f6f8fa;cursor:pointer}
button.primary{background:#1f883d;color:#fff;border-color:#1f883d}button.danger{background:#cf222e;color:#fff;border-color:#cf222e}
.actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.actions section.card{margin:0}
.muted{color:#57606a}code{font-size:.9em}iframe{width:100%;height:32rem;border:1px solid #d0d7de;background:#fff}
`;

export interface PageOptions {
  title: string;
  /** The console's root, /console. */
  root: string;
  /** Which nav entry is current. */
  here?: 'orders' | 'paypal' | 'shipments';
  body: Html;
  /** Reload every n seconds (a meta refresh: no script needed). */
  refreshSeconds?: number;
  flash?: Flash;
}

export function page(o: PageOptions): string {
  const nav = (key: PageOptions['here'], href: string, text: string) => html`<a href="${href}" class="${o.here === key ? 'here' : ''}">${text}</a>`;
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${o.refreshSeconds ? html`<meta http-equiv="refresh" content="${o.refreshSeconds}">` : ''}
<title>${o.title} – order console</title><style>${new Html(css)}</style></head>
<body><header><a href="/console"><strong>Console</strong></a>${nav('orders', `${o.root}/orders`, 'Orders')}${nav('paypal', `${o.root}/paypal`, 'PayPal')}${nav('shipments', `${o.root}/shipments`, 'Shipments')}<a href="/console/instances">Durable instances</a><a href="/console/servicebus">Service Bus</a><a href="/console/telemetry">Telemetry</a><a href="/dev/emails.html?all=true">Mailbox</a><a href="/api/v1/docs">API docs</a></header>
<main>${o.flash ? html`<div class="flash ${o.flash.ok ? 'ok' : 'err'}" role="status"><strong>${o.flash.text}</strong>${o.flash.detail ? html`<br>${o.flash.detail}` : ''}</div>` : ''}
${o.body}</main></body></html>`.value}\n`;
}

/** An amount in minor units as "EUR 12.34" (the API states the currency beside every amount). */
export function money(m: { amount: number; currency: string } | null | undefined): string {
  if (!m) return '–';
  return m.currency in currencies ? format(m as Money) : `${m.currency} ${m.amount} (minor units)`;
}

/** An RFC 3339 time as "2025-01-31 12:34:56 UTC". */
export const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '–');

const good = new Set(['paid', 'shipped', 'delivered', 'completed', 'COMPLETED', 'ELIGIBLE', 'SHIPPED', 'RESOLVED', 'OK']);
const bad = new Set(['cancelled', 'payment-failed', 'payment-expired', 'refund-pending', 'failed', 'DECLINED', 'VOIDED', 'NOT_ELIGIBLE', 'FAILED', 'DENIED']);
const warn = new Set(['on-hold', 'payment-on-hold', 'payment-pending', 'awaiting-payment', 'refunded', 'requested', 'PENDING', 'OPEN', 'WAITING_FOR_SELLER_RESPONSE']);

export function badge(status: string): Html {
  const kind = good.has(status) ? 'good' : bad.has(status) ? 'bad' : warn.has(status) ? 'warn' : '';
  return html`<span class="badge ${kind}" data-status="${status}">${status}</span>`;
}

/** An address fit for href: http(s) or a path on this host; anything else (javascript:, data:) becomes "#". */
export function safeHref(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : '#';
  } catch {
    return '#';
  }
}

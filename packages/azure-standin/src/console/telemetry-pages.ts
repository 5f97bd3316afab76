// Telemetry in the console: recent operations (one per trace id, as the portal's transaction
// search lists them) with a search over operation ids, item names and custom dimension values
// (an order id, say), and one operation as a waterfall: requests, dependencies and traces on a
// time axis, nested by parent id. Reads what LocalTelemetry holds; /dev/telemetry stays the JSON view.
import type { LocalTelemetry, TelemetryItem } from '../telemetry/local-telemetry';
import { duration, html, Html, jsonText, time } from './html';

export const operationHref = (id: string): string => `/console/telemetry/operations/${encodeURIComponent(id)}`;

export interface OperationSummary {
  operationId: string;
  /** The root request's name (the item without a parent in the operation), else the first item's. */
  name: string;
  start: number;
  durationMs: number;
  items: number;
  failed: boolean;
}

const startOf = (i: TelemetryItem): number => Date.parse(i.time);
const endOf = (i: TelemetryItem): number => startOf(i) + (i.durationMs ?? 0);
const failedItem = (i: TelemetryItem): boolean => i.success === false || i.kind === 'exception' || i.severity === 'Error' || i.severity === 'Critical';

/** Whether an item matches a search: its operation id, a word of its name, or a custom dimension value. */
export function matchesSearch(i: TelemetryItem, search: string): boolean {
  const s = search.toLowerCase();
  if (i.operationId?.toLowerCase() === s) return true;
  if (i.name.toLowerCase().includes(s)) return true;
  return Object.values(i.properties).some((v) => v.toLowerCase() === s || v.toLowerCase().includes(s));
}

/** Operations with at least one item matching `search` (all when empty), newest first. */
export function operations(items: TelemetryItem[], search: string, limit: number): OperationSummary[] {
  const byOp = new Map<string, TelemetryItem[]>();
  for (const i of items) {
    if (!i.operationId || i.kind === 'metric') continue;
    let list = byOp.get(i.operationId);
    if (!list) byOp.set(i.operationId, (list = []));
    list.push(i);
  }
  const out: OperationSummary[] = [];
  for (const [operationId, list] of byOp) {
    if (search && !list.some((i) => matchesSearch(i, search))) continue;
    const ids = new Set(list.map((i) => i.id).filter(Boolean));
    const root = list.find((i) => i.kind === 'request' && (!i.parentId || !ids.has(i.parentId))) ?? list[0];
    const start = Math.min(...list.map(startOf));
    out.push({ operationId, name: root.name, start, durationMs: Math.max(...list.map(endOf)) - start, items: list.length, failed: list.some(failedItem) });
  }
  return out.sort((a, b) => b.start - a.start).slice(0, limit);
}

export function telemetryPage(telemetry: LocalTelemetry, q: URLSearchParams): Html {
  const search = (q.get('q') ?? '').trim();
  const ops = operations(telemetry.query({}), search, 200);
  const rows = ops.map((o) => html`<tr class="${o.failed ? 'fail' : 'ok'}"><td>${time(o.start)}</td><td><a href="${operationHref(o.operationId)}">${o.name}</a></td>
<td><code>${o.operationId}</code></td><td class="num">${duration(o.durationMs)}</td><td class="num">${o.items}</td><td class="${o.failed ? 'fail' : 'ok'}">${o.failed ? 'failed' : 'ok'}</td></tr>`);
  return html`<form method="get" action="/console/telemetry"><label>Search <input name="q" value="${search}" size="40" placeholder="operation id, name or a custom dimension value"></label> <button type="submit">Search</button>
${search ? html` <a href="/console/telemetry">Clear</a>` : ''}</form>
<p class="muted">The host's requests (one per invocation) and what the app's Application Insights SDK sent, grouped by operation (trace) id, newest first (at most 200). Raw JSON: <a href="/dev/telemetry?limit=200">/dev/telemetry</a>.</p>
<table><thead><tr><th>Started (UTC)</th><th>Operation</th><th>Operation id</th><th>Duration</th><th>Items</th><th>Outcome</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="6" class="muted">${search ? 'No operation matches.' : 'No telemetry yet.'}</td></tr>`}</tbody></table>`;
}

interface WaterfallRow {
  item: TelemetryItem;
  depth: number;
}

/** Items in tree order: each item after its parent (by id), siblings by time; orphans at the top level. */
export function waterfallRows(items: TelemetryItem[]): WaterfallRow[] {
  const sorted = [...items].sort((a, b) => startOf(a) - startOf(b));
  const ids = new Set(sorted.map((i) => i.id).filter((id): id is string => id !== undefined));
  const children = new Map<string, TelemetryItem[]>();
  const roots: TelemetryItem[] = [];
  for (const i of sorted) {
    if (i.parentId && ids.has(i.parentId) && i.parentId !== i.id) {
      let list = children.get(i.parentId);
      if (!list) children.set(i.parentId, (list = []));
      list.push(i);
    } else roots.push(i);
  }
  const out: WaterfallRow[] = [];
  const seen = new Set<TelemetryItem>();
  const visit = (i: TelemetryItem, depth: number) => {
    if (seen.has(i)) return; // a cycle in bad data must not loop
    seen.add(i);
    out.push({ item: i, depth });
    for (const c of (i.id && children.get(i.id)) || []) visit(c, depth + 1);
  };
  roots.forEach((r) => visit(r, 0));
  return out;
}

export function operationPage(telemetry: LocalTelemetry, operationId: string): Html {
  const items = telemetry.query({ operationId }).filter((i) => i.kind !== 'metric');
  if (items.length === 0) return html`<p>No telemetry with operation id <code>${operationId}</code> (it may have been trimmed, or the id is wrong).</p><p><a href="/console/telemetry">← operations</a></p>`;
  const t0 = Math.min(...items.map(startOf));
  const total = Math.max(1, Math.max(...items.map(endOf)) - t0);
  const rows = waterfallRows(items).map(({ item: i, depth }) => {
    const left = ((startOf(i) - t0) / total) * 100;
    const width = ((i.durationMs ?? 0) / total) * 100;
    const cls = failedItem(i) ? 'fail' : i.kind === 'trace' || i.kind === 'exception' || i.kind === 'event' ? 'trace' : '';
    const outcome = i.kind === 'request' || i.kind === 'dependency' ? (i.success === false ? 'failed' : 'ok') + (i.resultCode ? ` (${i.resultCode})` : '') : (i.severity ?? '');
    return html`<tr class="${failedItem(i) ? 'fail' : ''}" data-kind="${i.kind}"><td>${i.kind}<br><span class="muted">${i.source}</span></td>
<td style="padding-left:${String(0.5 + depth * 1.2)}rem">${depth ? '↳ ' : ''}${i.name}</td>
<td class="num">+${duration(startOf(i) - t0)}</td><td class="num">${duration(i.durationMs)}</td><td class="${failedItem(i) ? 'fail' : ''}">${outcome}</td>
<td style="min-width:16rem"><div class="bar"><span class="${cls}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span></div></td>
<td><details><summary>details</summary><pre>${jsonText(i)}</pre></details></td></tr>`;
  });
  return html`<p><a href="/console/telemetry">← operations</a> · operation <code>${operationId}</code> · started ${time(t0)} · ${items.length} items over ${duration(total)}</p>
<table class="waterfall"><thead><tr><th>Kind</th><th>Name</th><th>Start</th><th>Duration</th><th>Outcome</th><th>Timeline</th><th>Details</th></tr></thead><tbody>${rows}</tbody></table>`;
}

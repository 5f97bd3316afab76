// Durable instances in the console: a filtered, paged list, and one instance with its input,
// output, custom status and history as a timeline, plus the management actions. Everything goes
// through the Durable backend the management HTTP API uses (the store's queries and the engine's
// raiseEvent/terminate/suspend/resume/purge), so the console sees and does what a client would.
import type { DurableEngine } from '../durable/engine';
import { GoneError, InvalidOperationError, NotFoundError, PreconditionFailedError } from '../durable/engine';
import type { RuntimeStatus } from '../durable/history';
import type { InstanceRow } from '../durable/store';
import { duration, html, Html, jsonText, prettyJson, time, withQuery } from './html';
import { timeline, TimelineRow } from './timeline';

export const runtimeStatuses: RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'Completed', 'Failed', 'Terminated', 'ContinuedAsNew', 'Canceled'];
const pageSize = 50;

export const instanceHref = (id: string): string => `/console/instances/${encodeURIComponent(id)}`;

/** A datetime-local value (no zone) or an ISO time, read as UTC. */
function utc(v: string | null): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function instancesPage(engine: DurableEngine, q: URLSearchParams): Html {
  const statuses = q.getAll('status').filter((s): s is RuntimeStatus => (runtimeStatuses as string[]).includes(s));
  const page = Math.max(0, Number.parseInt(q.get('page') ?? '0', 10) || 0);
  const rows = engine.store.queryInstances({
    statuses: statuses.length ? statuses : undefined,
    name: q.get('name') || undefined,
    prefix: q.get('prefix') || undefined,
    createdFrom: utc(q.get('from')),
    createdTo: utc(q.get('to')),
    newestFirst: true,
    offset: page * pageSize,
    limit: pageSize + 1,
  });
  const more = rows.length > pageSize;
  const counts = engine.store.countByStatus();
  const filters = html`<form method="get" action="/console/instances"><fieldset><legend>Filter</legend>
  ${runtimeStatuses.map((s) => html`<label><input type="checkbox" name="status" value="${s}" ${statuses.includes(s) ? html`checked` : ''}> ${s} <span class="muted">(${counts[s] ?? 0})</span></label>`)}
  <br><label>Orchestrator <input name="name" value="${q.get('name') ?? ''}" size="18"></label>
  <label>Instance id starts with <input name="prefix" value="${q.get('prefix') ?? ''}" size="18"></label>
  <label>Created from <input type="datetime-local" step="1" name="from" value="${q.get('from') ?? ''}"></label>
  <label>to <input type="datetime-local" step="1" name="to" value="${q.get('to') ?? ''}"></label> <span class="muted">(UTC)</span>
  <button type="submit">Apply</button> <a href="/console/instances">Clear</a></fieldset></form>`;
  const body = rows.slice(0, pageSize).map((r) => html`<tr>
  <td><a href="${instanceHref(r.instanceId)}"><code>${r.instanceId}</code></a></td><td>${r.name}</td>
  <td><span class="badge ${r.status}">${r.status}</span></td><td>${time(r.createdAt)}</td><td>${time(r.updatedAt)}</td>
  <td><code>${r.customStatus ?? ''}</code></td></tr>`);
  const pager = html`<p>${page > 0 ? html`<a href="${withQuery('/console/instances', q, { page: String(page - 1) })}">← Newer</a> ` : ''}
  <span class="muted">Page ${page + 1}</span>${more ? html` <a href="${withQuery('/console/instances', q, { page: String(page + 1) })}">Older →</a>` : ''}</p>`;
  return html`${filters}
<table><thead><tr><th>Instance id</th><th>Orchestrator</th><th>Status</th><th>Created (UTC)</th><th>Last updated (UTC)</th><th>Custom status</th></tr></thead>
<tbody>${body.length ? body : html`<tr><td colspan="6" class="muted">No instances match.</td></tr>`}</tbody></table>${pager}`;
}

export function instancePage(engine: DurableEngine, row: InstanceRow): Html {
  const events = engine.store.loadHistory(row.instanceId);
  const rows = timeline(events);
  const id = instanceHref(row.instanceId);
  const live = !['Completed', 'Failed', 'Terminated', 'Canceled'].includes(row.status);
  const summary = html`<table>
<tr><th>Instance id</th><td><code>${row.instanceId}</code></td><th>Orchestrator</th><td>${row.name}</td></tr>
<tr><th>Status</th><td><span class="badge ${row.status}">${row.status}</span></td><th>Execution</th><td><code>${row.executionId}</code></td></tr>
<tr><th>Created</th><td>${time(row.createdAt)}</td><th>Last updated</th><td>${time(row.updatedAt)}</td></tr>
${row.parent ? html`<tr><th>Parent</th><td colspan="3"><a href="${instanceHref(row.parent.instanceId)}"><code>${row.parent.instanceId}</code></a> (${row.parent.name})</td></tr>` : ''}
<tr><th>Input</th><td colspan="3"><pre>${prettyJson(row.input)}</pre></td></tr>
<tr><th>Output</th><td colspan="3"><pre>${prettyJson(row.output)}</pre></td></tr>
<tr><th>Custom status</th><td colspan="3"><pre>${prettyJson(row.customStatus)}</pre></td></tr>
${row.failure ? html`<tr><th>Failure</th><td colspan="3"><pre class="fail">${prettyJson(row.failure)}</pre></td></tr>` : ''}
</table>`;
  const actions = html`<h2>Actions</h2>
${live ? html`<form class="box" method="post" action="${id}/raise-event"><strong>Raise event</strong>
  <label>Name <input name="name" required size="16"></label>
  <label>Payload (JSON) <textarea name="payload" rows="1" cols="40" placeholder="null"></textarea></label>
  <button type="submit">Raise event</button></form>
<form class="box" method="post" action="${id}/terminate" onsubmit="return confirm('Terminate this instance?')"><strong>Terminate</strong>
  <label>Reason <input name="reason" size="30"></label> <button type="submit" class="danger">Terminate instance</button></form>
<form class="inline" method="post" action="${id}/suspend"><button type="submit">Suspend</button></form>
<form class="inline" method="post" action="${id}/resume"><button type="submit">Resume</button></form>` : ''}
<form class="inline" method="post" action="${id}/purge" onsubmit="return confirm('Delete this instance and its history for good?')"><button type="submit" class="danger" ${live ? html`disabled title="Only finished instances can be purged; terminate it first"` : ''}>Purge instance and history</button></form>`;
  return html`${summary}${actions}<h2>Timeline</h2>${timelineTable(rows)}`;
}

const kindLabel: Record<TimelineRow['kind'], string> = {
  start: 'start', activity: 'activity', timer: 'timer', event: 'event', sent: 'event sent', suborchestration: 'sub-orchestration', end: 'end', control: 'control', other: 'other',
};

function timelineTable(rows: TimelineRow[]): Html {
  if (rows.length === 0) return html`<p class="muted">No history yet (the instance has not run).</p>`;
  const body = rows.map((r, i) => {
    const title = r.kind === 'suborchestration' && r.instanceId
      ? html`${r.title} → <a href="${instanceHref(r.instanceId)}"><code>${r.instanceId}</code></a>`
      : r.kind === 'sent' && r.instanceId ? html`${r.title} to <code>${r.instanceId}</code>` : html`${r.title}`;
    const attempt = r.attempt && r.attempt > 1 ? html` <span class="badge" title="the same activity ran before and failed">retry, attempt ${r.attempt}</span>` : '';
    const when = r.kind === 'timer' && r.fireAt ? html`${r.outcome === 'ok' ? 'fired at' : 'fires at'} ${time(r.fireAt)}` : '';
    return html`<tr class="${r.outcome}" data-kind="${r.kind}"><td class="num">${i + 1}</td><td>${kindLabel[r.kind]}</td><td>${title}${attempt}</td>
<td>${time(r.start)}</td><td class="num">${duration(r.durationMs)}</td><td class="${r.outcome}">${r.detail ?? (r.outcome === 'ok' && !when ? 'ok' : '')} ${when}</td>
<td>${r.payload !== undefined ? html`<details><summary>data</summary><pre>${jsonText(r.payload)}</pre></details>` : ''}
<details><summary>raw</summary><pre>${JSON.stringify(r.raw, null, 2)}</pre></details></td></tr>`;
  });
  return html`<table class="timeline"><thead><tr><th>#</th><th>Kind</th><th>Step</th><th>Started (UTC)</th><th>Duration</th><th>Outcome</th><th>Details</th></tr></thead><tbody>${body}</tbody></table>`;
}

export type InstanceAction = 'raise-event' | 'terminate' | 'suspend' | 'resume' | 'purge';
export const instanceActions: ReadonlySet<string> = new Set<InstanceAction>(['raise-event', 'terminate', 'suspend', 'resume', 'purge']);

/** Runs an action from a console form; the notice to show, and whether the instance is gone. */
export async function runInstanceAction(engine: DurableEngine, id: string, action: InstanceAction, form: URLSearchParams): Promise<{ text: string; error?: boolean; purged?: boolean }> {
  try {
    switch (action) {
      case 'raise-event': {
        const name = (form.get('name') ?? '').trim();
        if (!name) return { text: 'An event needs a name.', error: true };
        const text = (form.get('payload') ?? '').trim();
        let payload: string;
        try {
          payload = JSON.stringify(text === '' ? null : (JSON.parse(text) as unknown));
        } catch (err) {
          return { text: `The payload is not JSON: ${(err as Error).message}`, error: true };
        }
        await engine.raiseEvent(id, name, payload);
        return { text: `Event '${name}' raised.` };
      }
      case 'terminate':
        await engine.terminate(id, form.get('reason') || null);
        return { text: 'Termination requested.' };
      case 'suspend':
        await engine.suspend(id, form.get('reason') || null);
        return { text: 'Suspension requested.' };
      case 'resume':
        await engine.resume(id, form.get('reason') || null);
        return { text: 'Resumption requested.' };
      case 'purge': {
        const n = await engine.purge(id);
        return n ? { text: `Instance ${id} purged.`, purged: true } : { text: `Instance ${id} was not found.`, error: true };
      }
    }
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof GoneError || err instanceof InvalidOperationError || err instanceof PreconditionFailedError) return { text: err.message, error: true };
    throw err;
  }
}

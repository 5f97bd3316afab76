// Service Bus in the console: every queue, topic and subscription with its message counts; the
// messages of one (or of its dead-letter queue), peeked without locking them; and the two
// operator actions on a dead letter: resubmit (back to the entity that dead-lettered it) and delete.
import type { ServiceBusEmulator, SubQueue } from '../servicebus';
import type { ReceivedMessage } from '../servicebus';
import { html, Html, jsonText, time } from './html';

const peekMax = 100;

export const entityHref = (path: string, subQueue: SubQueue): string =>
  `/console/servicebus/messages?entity=${encodeURIComponent(path)}${subQueue === 'deadLetter' ? '&queue=deadletter' : ''}`;

export function serviceBusPage(bus: ServiceBusEmulator): Html {
  const stats = new Map(bus.stats().map((s) => [s.path, s]));
  const counts = (path: string) => {
    const s = stats.get(path);
    return html`<td class="num"><a href="${entityHref(path, 'active')}">${s?.active ?? 0}</a></td>
<td class="num ${s && s.deadLetter > 0 ? 'fail' : ''}"><a href="${entityHref(path, 'deadLetter')}">${s?.deadLetter ?? 0}</a></td>
<td class="num">${s?.scheduled ?? 0}</td><td class="num">${s?.locked ?? 0}</td>`;
  };
  const head = html`<thead><tr><th>Entity</th><th>Active</th><th>Dead-lettered</th><th>Scheduled</th><th>Locked (being processed)</th></tr></thead>`;
  const queues = bus.entities.queues.map((q) => html`<tr data-entity="${q.path}"><td>${q.path}</td>${counts(q.path)}</tr>`);
  const topics = bus.entities.topics.map((t) => html`<tr><th colspan="5">Topic ${t.path}</th></tr>
${t.subscriptions.length ? t.subscriptions.map((s) => html`<tr data-entity="${s.path}"><td>&nbsp;&nbsp;↳ subscription ${s.path.slice(t.path.length + '/Subscriptions/'.length)}</td>${counts(s.path)}</tr>`) : html`<tr><td colspan="5" class="muted">No subscriptions.</td></tr>`}`);
  return html`<p class="muted">Counts are live; a number links to the messages (peeked, not locked).</p>
<h2>Queues</h2><table>${head}<tbody>${queues.length ? queues : html`<tr><td colspan="5" class="muted">No queues.</td></tr>`}</tbody></table>
<h2>Topics and subscriptions</h2><table>${head}<tbody>${topics.length ? topics : html`<tr><td colspan="5" class="muted">No topics.</td></tr>`}</tbody></table>`;
}

/** The body as text: UTF-8 (pretty JSON when it is JSON), or base64 for other bytes. */
function bodyText(m: ReceivedMessage): string {
  const text = m.body.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(m.body)) {
    try {
      return JSON.stringify(JSON.parse(text) as unknown, null, 2);
    } catch {
      return text;
    }
  }
  return `(binary, base64) ${m.body.toString('base64')}`;
}

export function messagesPage(bus: ServiceBusEmulator, path: string, subQueue: SubQueue): Html {
  const messages = bus.peek(path, subQueue, peekMax);
  const dead = subQueue === 'deadLetter';
  const rows = messages.map((m) => {
    const props = { ...m.applicationProperties };
    const system = { messageId: m.messageId, correlationId: m.correlationId, subject: m.subject, contentType: m.contentType, to: m.to, replyTo: m.replyTo, sessionId: m.sessionId, expiresAtUtc: m.expiresAtUtc, scheduledEnqueueTimeUtc: m.scheduledEnqueueTimeUtc, lockedUntilUtc: m.lockedUntilUtc };
    const actions = dead
      ? html`<form class="inline" method="post" action="/console/servicebus/resubmit"><input type="hidden" name="entity" value="${path}"><input type="hidden" name="seq" value="${m.sequenceNumber}"><button type="submit" data-action="resubmit">Resubmit to ${path}</button></form>
<form class="inline" method="post" action="/console/servicebus/delete" onsubmit="return confirm('Delete this dead-lettered message?')"><input type="hidden" name="entity" value="${path}"><input type="hidden" name="queue" value="deadletter"><input type="hidden" name="seq" value="${m.sequenceNumber}"><button type="submit" class="danger">Delete</button></form>`
      : html`<form class="inline" method="post" action="/console/servicebus/delete" onsubmit="return confirm('Delete this message?')"><input type="hidden" name="entity" value="${path}"><input type="hidden" name="seq" value="${m.sequenceNumber}"><button type="submit" class="danger">Delete</button></form>`;
    return html`<tr data-seq="${m.sequenceNumber}" data-message-id="${m.messageId ?? ''}"><td class="num">${m.sequenceNumber}</td><td><code>${m.messageId ?? ''}</code></td>
<td class="num">${m.deliveryCount}</td><td>${time(m.enqueuedTimeUtc.getTime())}</td>
${dead ? html`<td class="fail">${m.deadLetterReason ?? ''}<br><span class="muted">${m.deadLetterErrorDescription ?? ''}</span></td>` : ''}
<td><pre>${bodyText(m)}</pre><details><summary>properties</summary><pre>${jsonText({ applicationProperties: props, ...system })}</pre></details></td>
<td>${actions}</td></tr>`;
  });
  const other = dead ? html`<a href="${entityHref(path, 'active')}">active messages</a>` : html`<a href="${entityHref(path, 'deadLetter')}">dead-letter queue</a>`;
  return html`<p><a href="/console/servicebus">← all entities</a> · ${other}</p>
<p class="muted">Peeked: up to ${peekMax}, oldest first; locked and scheduled messages included, as a peek in Service Bus shows them. Delivery count is 1-based, as the Functions host reports it.</p>
<table><thead><tr><th>Seq</th><th>Message id</th><th>Delivery count</th><th>Enqueued (UTC)</th>${dead ? html`<th>Dead-letter reason</th>` : ''}<th>Body</th><th>Actions</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No messages.</td></tr>`}</tbody></table>`;
}

/** Resubmits or deletes one message from a console form; the notice to show. */
export function runMessageAction(bus: ServiceBusEmulator, action: 'resubmit' | 'delete', form: URLSearchParams): { text: string; error?: boolean } {
  const path = form.get('entity') ?? '';
  const seq = Number(form.get('seq'));
  if (!bus.entities.get(path) || !Number.isInteger(seq)) return { text: 'No such queue, subscription or message.', error: true };
  if (action === 'resubmit') {
    const r = bus.resubmitDeadLetter(path, seq);
    if (r.result === 'moved') return { text: `Message ${seq} resubmitted to ${path} (now sequence number ${r.sequenceNumber}).` };
    return { text: r.result === 'locked' ? `Message ${seq} is locked by a receiver of the dead-letter queue; try again when its lock expires.` : `Dead-lettered message ${seq} was not found (already resubmitted or deleted?).`, error: true };
  }
  const subQueue: SubQueue = form.get('queue') === 'deadletter' ? 'deadLetter' : 'active';
  const r = bus.deleteMessage(path, subQueue, seq);
  if (r === 'removed') return { text: `Message ${seq} deleted from ${path}${subQueue === 'deadLetter' ? ' (dead-letter queue)' : ''}.` };
  return { text: r === 'locked' ? `Message ${seq} is locked by a receiver; try again when its lock expires.` : `Message ${seq} was not found.`, error: true };
}

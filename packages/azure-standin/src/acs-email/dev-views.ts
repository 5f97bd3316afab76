// What a developer (or a test) sees of the simulated mailbox: the JSON items of /dev/emails and
// a page that shows each message with its HTML body in a sandboxed iframe, so a template's
// markup or scripts cannot touch the page or run.
import type { OperationStatus, StoredOperation } from './email-store';

export interface EmailItem {
  operationId: string;
  /** The Internet Message-ID the simulated mail carries. */
  messageId: string;
  /** All To addresses; cc/bcc separately. */
  to: string[];
  cc: string[];
  bcc: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  status: OperationStatus;
  error?: { code: string; message: string };
  /** When the service accepted the send (ISO 8601). */
  sentAt: string;
}

export function toItem(op: StoredOperation, status: OperationStatus): EmailItem {
  const item: EmailItem = {
    operationId: op.operationId,
    messageId: op.messageId,
    to: op.to.map((r) => r.address),
    cc: op.cc.map((r) => r.address),
    bcc: op.bcc.map((r) => r.address),
    from: op.from,
    subject: op.subject,
    text: op.text,
    html: op.html,
    status,
    sentAt: new Date(op.createdAt).toISOString(),
  };
  if (status === 'Failed' && op.outcome.status === 'Failed') item.error = { code: op.outcome.code, message: op.outcome.message };
  return item;
}

export interface ListingProblem {
  status: 400;
  title: string;
  detail: string;
}

/**
 * Listing the mailbox names one recipient (?to=): the simulated mailbox holds every customer's
 * mail, so all of it is shown only on an explicit ?all=true from a local operator.
 */
export function mailboxListingProblem(url: URL): ListingProblem | undefined {
  if (url.pathname !== '/dev/emails' && url.pathname !== '/dev/emails.html') return undefined;
  if (url.searchParams.get('to') || url.searchParams.get('all') === 'true') return undefined;
  return { status: 400, title: 'Recipient required', detail: 'Pass ?to=<address> to list the emails sent to one address (or ?all=true to list every email).' };
}

export function mailboxPage(items: EmailItem[], to: string | undefined): string {
  const title = to ? `Emails to ${to}` : 'All emails';
  const cards = items
    .slice()
    .reverse() // newest first for people; the JSON list stays oldest first
    .map(
      (i) => `<section>
  <h2>${esc(i.subject)}</h2>
  <p class="meta">${esc(i.sentAt)} · ${esc(i.status)}${i.error ? ` (${esc(i.error.code)})` : ''} · from ${esc(i.from)} to ${esc(i.to.join(', '))}<br>operation ${esc(i.operationId)}</p>
  ${i.html ? `<iframe sandbox="" srcdoc="${esc(i.html)}" title="${esc(i.subject)}"></iframe>` : ''}
  <details><summary>Plain text</summary><pre>${esc(i.text)}</pre></details>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}section{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}
.meta{color:#555;font-size:.9em}iframe{width:100%;height:28rem;border:1px solid #eee}pre{white-space:pre-wrap}</style></head>
<body><h1>${esc(title)}</h1><p>${items.length} message(s), newest first.</p>
${cards || '<p>No emails yet.</p>'}
</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

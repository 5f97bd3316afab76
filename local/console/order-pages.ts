// The console's order pages: the list (filters, cursor paging) and one order with everything a
// support person looks at (timeline, money, documents, shipment, refunds, disputes, emails) and
// the actions they take. Pure rendering: the data comes from orders-service.ts.
import { randomUUID } from 'node:crypto';
import { canTransition, orderStatuses } from '../../domain/order-status';
import type { OrderStatus } from '../../domain/order-status';
import type { DisputeView, InvoiceDocuments, MailboxItem, OrderList, OrderView, Problem } from './api-client';
import { badge, html, Html, money, page, safeHref, when } from './html';
import type { Flash } from './html';

const refreshSeconds = 3;

/** Links to the stand-in's console views of one order (its durable instance, its telemetry). */
export const instanceHref = (id: string): string => `/console/instances/${encodeURIComponent(id)}`;
export const telemetryHref = (id: string): string => `/console/telemetry?q=${encodeURIComponent(id)}`;
export const orderHref = (root: string, id: string): string => `${root}/orders/${encodeURIComponent(id)}`;

export interface ListFilters {
  status?: string;
  customerId?: string;
  cursor?: string;
  refresh: boolean;
}

function query(f: ListFilters, change: Partial<ListFilters>): string {
  const next = { ...f, ...change };
  const p = new URLSearchParams();
  if (next.status) p.set('status', next.status);
  if (next.customerId) p.set('customerId', next.customerId);
  if (next.cursor) p.set('cursor', next.cursor);
  if (next.refresh) p.set('refresh', '1');
  const s = p.toString();
  return s ? `?${s}` : '';
}

function refreshToggle(href: (on: boolean) => string, on: boolean): Html {
  return html`<p class="muted">Auto-refresh: ${on ? html`<strong>on</strong> (every ${refreshSeconds} s) · <a href="${href(false)}" id="refresh-off">turn off</a>` : html`off · <a href="${href(true)}" id="refresh-on">turn on</a>`}</p>`;
}

export function ordersListPage(o: { root: string; filters: ListFilters; list: OrderList; flash?: Flash }): string {
  const f = o.filters;
  const base = `${o.root}/orders`;
  const rows = o.list.items.map((s) => html`<tr>
<td><a href="${orderHref(o.root, s.id)}"><code>${s.id}</code></a></td>
<td><a href="${base}${query({ refresh: f.refresh }, { customerId: s.customerId })}">${s.customerId}</a></td>
<td>${badge(s.status)}</td><td class="num">${money({ amount: s.totals.total, currency: s.totals.currency })}</td><td>${when(s.createdAt)}</td></tr>`);
  const body = html`<h1>Orders</h1>
<form method="get" action="${base}" class="card">
<label>Status <select name="status"><option value="">any</option>${orderStatuses.map((s) => html`<option value="${s}" ${s === f.status ? new Html('selected') : ''}>${s}</option>`)}</select></label>
<label>Customer <input name="customerId" value="${f.customerId ?? ''}" placeholder="customer id"></label>
${f.refresh ? new Html('<input type="hidden" name="refresh" value="1">') : ''}
<button type="submit">Filter</button> <a href="${base}${query({ refresh: f.refresh }, {})}">clear</a>
</form>
<form method="get" action="${base}/find"><label>Order id <input name="id" placeholder="ord_…" size="28"></label> <button type="submit">Open</button></form>
${refreshToggle((on) => `${base}${query(f, { refresh: on })}`, f.refresh)}
<table id="orders"><thead><tr><th>Order</th><th>Customer</th><th>Status</th><th class="num">Total</th><th>Created</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="5" class="muted">No orders${f.status || f.customerId ? ' match these filters' : ' yet'}.</td></tr>`}</tbody></table>
<p>${f.cursor ? html`<a href="${base}${query(f, { cursor: undefined })}">« first page</a> ` : ''}${o.list.nextCursor ? html`<a href="${base}${query(f, { cursor: o.list.nextCursor })}" id="next-page">next page »</a>` : ''}</p>`;
  return page({ title: 'Orders', root: o.root, here: 'orders', body, refreshSeconds: f.refresh ? refreshSeconds : undefined, flash: o.flash });
}

export interface OrderPageData {
  order: OrderView;
  documents: InvoiceDocuments['documents'];
  disputes: (DisputeView | { id: string; problem: Problem })[];
  /** Emails to the customer about this order, oldest first; a problem when the mailbox could not be read. */
  emails: MailboxItem[] | Problem;
}

const holdStatuses: ReadonlySet<string> = new Set(['on-hold', 'payment-on-hold', 'refund-pending']);

export function orderPage(o: { root: string; data: OrderPageData; refresh: boolean; flash?: Flash }): string {
  const order = o.data.order;
  const self = orderHref(o.root, order.id);
  const body = html`<h1>Order <code>${order.id}</code> ${badge(order.status)}</h1>
<p class="muted">${order.customer.name} &lt;${order.customer.email}&gt; · customer <a href="${o.root}/orders?customerId=${encodeURIComponent(order.customer.id)}">${order.customer.id}</a> · placed ${when(order.createdAt)} · updated ${when(order.updatedAt)}</p>
<p><a href="${instanceHref(order.id)}" id="instance-link">Durable instance</a> · <a href="${telemetryHref(order.id)}" id="telemetry-link">Telemetry waterfall</a> · <a href="${o.root}/orders">All orders</a></p>
${refreshToggle((on) => (on ? `${self}?refresh=1` : self), o.refresh)}
${actions(o.root, order)}
<h2>Timeline</h2>
<ol class="timeline" id="timeline">${order.timeline.map((t) => html`<li data-status="${t.status}"><time datetime="${t.at}">${when(t.at)}</time>${badge(t.status)} ${t.event}</li>`)}</ol>
${order.cancellationReason ? html`<p>Cancelled: ${order.cancellationReason}</p>` : ''}
<h2>Lines and totals</h2>
${linesTable(order)}
<h2>Documents</h2>
${documents(o.root, order, o.data.documents)}
<h2>Payment</h2>
${payment(o.root, order)}
<h2>Shipment</h2>
${shipment(o.root, order)}
<h2>Refunds</h2>
${refunds(order)}
<h2>Disputes</h2>
${o.data.disputes.length ? o.data.disputes.map(dispute) : html`<p class="muted">None.</p>`}
<h2>Emails to the customer</h2>
${emails(o.root, order, o.data.emails)}`;
  return page({ title: order.id, root: o.root, here: 'orders', body, refreshSeconds: o.refresh ? refreshSeconds : undefined, flash: o.flash });
}

function actions(root: string, order: OrderView): Html {
  const base = orderHref(root, order.id);
  const cards: Html[] = [];
  if (order.status === 'awaiting-payment' && order.payment.approveUrl) {
    cards.push(html`<section class="card"><h3>Approve the payment</h3><p class="muted">What the buyer's click on PayPal's approval page does.</p>
<form method="post" action="${base}/approve"><button class="primary" id="approve">Approve at PayPal</button></form>
<p class="muted">Or as the buyer: <a href="${safeHref(order.payment.approveUrl)}">PayPal approval page</a></p></section>`);
  }
  if (canTransition(order.status as OrderStatus, 'cancel')) {
    cards.push(html`<section class="card"><h3>Cancel</h3><form method="post" action="${base}/cancel">
<label>Reason <input name="reason" value="cancelled by support" size="24"></label> <button class="danger" id="cancel">Cancel order</button></form></section>`);
  }
  if (order.status === 'shipped' || order.status === 'delivered') cards.push(refundForm(base, order));
  if (holdStatuses.has(order.status)) {
    cards.push(html`<section class="card"><h3>Retry now</h3><p class="muted">Raises RetryNow on the order's orchestration: a held step is tried at once.</p>
<form method="post" action="${base}/retry"><button id="retry">Retry now</button></form></section>`);
  }
  return cards.length ? html`<h2>Actions</h2><div class="actions">${cards}</div>` : html``;
}

/** Units of each SKU not yet refunded (requested or completed refunds count; failed ones do not). */
export function refundableUnits(order: OrderView): Map<string, number> {
  const left = new Map(order.items.map((i) => [i.sku, i.quantity]));
  for (const r of order.refunds) {
    if (r.status === 'failed') continue;
    for (const l of r.items) if (left.has(l.sku)) left.set(l.sku, (left.get(l.sku) ?? 0) - l.quantity);
  }
  return left;
}

function refundForm(base: string, order: OrderView): Html {
  const left = refundableUnits(order);
  const shippingRefunded = order.refunds.some((r) => r.status !== 'failed' && r.items.some((l) => l.sku === 'SHIPPING'));
  return html`<section class="card"><h3>Refund</h3><form method="post" action="${base}/refund" id="refund-form">
<input type="hidden" name="idempotencyKey" value="${randomUUID()}">
<table><thead><tr><th>Item</th><th class="num">Refund units</th><th>Restock</th></tr></thead><tbody>
${order.items.map((i) => html`<tr><td>${i.name} <code>${i.sku}</code></td>
<td class="num"><input type="number" name="qty:${i.sku}" min="0" max="${left.get(i.sku) ?? 0}" value="0" size="3" aria-label="units of ${i.sku}"> of ${left.get(i.sku) ?? 0}</td>
<td><input type="checkbox" name="restock:${i.sku}" aria-label="restock ${i.sku}"></td></tr>`)}
</tbody></table>
<p><label><input type="checkbox" name="shipping" ${shippingRefunded ? new Html('disabled') : ''}> Refund the shipping fee (${money({ amount: order.totals.shipping, currency: order.totals.currency })})</label></p>
<p><label>Reason <input name="reason" required size="30" placeholder="shown to the customer"></label> <button class="danger" id="refund">Refund</button></p>
</form></section>`;
}

function linesTable(order: OrderView): Html {
  const t = order.totals;
  const num = (label: string, value: string, strong = false) => html`<tr><td colspan="5" class="num">${strong ? html`<strong>${label}</strong>` : label}</td><td class="num" data-total="${label}">${strong ? html`<strong>${value}</strong>` : value}</td><td></td></tr>`;
  return html`<table id="lines"><thead><tr><th>SKU</th><th>Item</th><th class="num">Qty</th><th class="num">Unit price</th><th class="num">Discount</th><th class="num">Line total</th><th class="num">VAT</th></tr></thead>
<tbody>${order.items.map((i) => html`<tr><td><code>${i.sku}</code></td><td>${i.name}</td><td class="num">${i.quantity}</td><td class="num">${money({ amount: i.unitPrice, currency: t.currency })}</td><td class="num">${i.discount ? money({ amount: -i.discount, currency: t.currency }) : ''}</td><td class="num">${money({ amount: i.lineTotal, currency: t.currency })}</td><td class="num">${money({ amount: i.tax, currency: t.currency })}</td></tr>`)}</tbody>
<tfoot>${num('Items', money({ amount: t.subtotal, currency: t.currency }))}
${t.discount ? num(`Discount${order.discountCode ? ` (${order.discountCode})` : ''}`, money({ amount: -t.discount, currency: t.currency })) : ''}
${num(`Shipping (${order.shippingMethod})`, money({ amount: t.shipping, currency: t.currency }))}
${num('VAT (added)', money({ amount: t.tax, currency: t.currency }))}
${num('Total', money({ amount: t.total, currency: t.currency }), true)}</tfoot></table>`;
}

function documents(root: string, order: OrderView, docs: InvoiceDocuments['documents']): Html {
  if (docs.length === 0) return html`<p class="muted">No invoice yet.</p>`;
  return html`<ul id="documents">${docs.map((d) => html`<li><a href="${orderHref(root, order.id)}/documents/${encodeURIComponent(d.number)}.pdf" data-kind="${d.kind}">${d.kind === 'invoice' ? 'Invoice' : 'Credit note'} ${d.number}</a> <span class="muted">(PDF, issued ${when(d.issuedAt)})</span></li>`)}</ul>`;
}

function facts(pairs: [string, Html | string | null | undefined][]): Html {
  return html`<dl class="facts">${pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

function payment(root: string, order: OrderView): Html {
  const p = order.payment;
  const cur = order.totals.currency;
  return html`<section class="card" id="payment">${facts([
    ['Method', `PayPal${p.vaulted ? ' (vaulted)' : ' (buyer approval)'}`],
    ['PayPal order', p.paypalOrderId ? html`<a href="${root}/paypal#${p.paypalOrderId}"><code>${p.paypalOrderId}</code></a>` : null],
    ['Capture', p.captureId ? html`<code>${p.captureId}</code>` : 'none'],
    ['Approval page', p.approveUrl ? html`<a href="${safeHref(p.approveUrl)}">${p.approveUrl}</a>` : null],
    ['Refunded', p.refunded !== null ? money({ amount: p.refunded, currency: cur }) : null],
    ['Voided', p.voided ? 'yes (authorization released)' : null],
    ['Void failure', p.voidFailure],
    ['Seller Protection', p.sellerProtection ? html`${badge(p.sellerProtection.status)} ${p.sellerProtection.disputeCategories.join(', ')}` : null],
    ['Refund failure', p.refundFailure ? `${p.refundFailure.reason} (attempt ${p.refundFailure.attempts}, ${when(p.refundFailure.lastAttemptAt)}, ${p.refundFailure.retrying ? 'retrying' : 'retries stopped: an operator must act'})` : null],
  ])}</section>`;
}

function shipment(root: string, order: OrderView): Html {
  const s = order.shipment;
  const a = order.shippingAddress;
  const address = `${a.name}, ${a.line1}${a.line2 ? `, ${a.line2}` : ''}, ${a.postalCode} ${a.city}, ${a.country}`;
  if (!s) return html`<section class="card" id="shipment">${facts([['Ship to', address], ['Method', order.shippingMethod], ['Shipment', 'not booked yet']])}</section>`;
  return html`<section class="card" id="shipment">${facts([
    ['Ship to', address],
    ['Carrier', s.carrier],
    ['Tracking', html`<a href="${safeHref(s.trackingUrl)}" id="tracking-link"><code>${s.trackingNumber}</code></a> · <a href="${root}/shipments#${s.trackingNumber}">in the carrier simulator</a>`],
    ['Shipped', when(s.shippedAt)],
    ['Delivered', s.deliveredAt ? when(s.deliveredAt) : 'not yet'],
    ['PayPal tracker', s.paypalTracker ? html`<code>${s.paypalTracker.id}</code> ${badge(s.paypalTracker.status)}` : 'not sent yet'],
  ])}</section>`;
}

function refunds(order: OrderView): Html {
  if (order.refunds.length === 0) return html`<p class="muted">None.</p>`;
  return html`<table id="refunds"><thead><tr><th>Refund</th><th>Status</th><th>Lines</th><th class="num">Amount</th><th>Reason</th><th>Credit note</th><th>PayPal refund</th><th>Requested</th></tr></thead><tbody>
${order.refunds.map((r) => html`<tr><td><code>${r.id}</code></td><td>${badge(r.status)}${r.failure ? html`<br><span class="muted">${r.failure}</span>` : ''}</td>
<td>${r.items.map((l) => html`${l.quantity} × ${l.sku}<br>`)}</td><td class="num">${money({ amount: r.amount, currency: r.currency })}</td><td>${r.reason}</td>
<td>${r.creditNote ?? '–'}</td><td>${r.paypalRefundId ?? '–'}</td><td>${when(r.requestedAt)}<br><span class="muted">by ${r.requestedBy}</span></td></tr>`)}
</tbody></table>`;
}

function dispute(d: DisputeView | { id: string; problem: Problem }): Html {
  if ('problem' in d) return html`<section class="card"><h3><code>${d.id}</code></h3><p>Could not read it: ${d.problem.title} ${d.problem.detail ?? ''}</p></section>`;
  return html`<section class="card dispute" id="dispute-${d.id}"><h3>Dispute <code>${d.id}</code> ${badge(d.status)}</h3>${facts([
    ['Reason', d.reason],
    ['Stage', d.stage],
    ['Amount', money({ amount: d.amount, currency: d.currency })],
    ['Seller response due', d.dueAt ? when(d.dueAt) : null],
    ['Decision', d.decision ? `${d.decision.action}: ${d.decision.why}` : 'none yet'],
    ['Evidence pack', d.evidencePack ? `${d.evidencePack.pages} pages, ${d.evidencePack.bytes} bytes${d.evidencePack.missing.length ? `; missing ${d.evidencePack.missing.join(', ')}` : ''}` : null],
    ['Submitted', d.submission ? `${when(d.submission.at)} by ${d.submission.by}: ${d.submission.evidenceTypes.join(', ')}` : null],
    ['Accepted', d.accepted ? `${when(d.accepted.at)} by ${d.accepted.by}: ${d.accepted.note}` : null],
    ['Outcome', d.outcome ? `${d.outcome.code} (${when(d.outcome.at)})` : null],
    ['Allowed actions', d.allowedActions.join(', ')],
  ])}<p class="muted">From GET /api/v1/disputes/${d.id}</p></section>`;
}

function emails(root: string, order: OrderView, items: MailboxItem[] | Problem): Html {
  if (!Array.isArray(items)) return html`<p>Mailbox unavailable: ${items.title} ${items.detail ?? ''}</p>`;
  if (items.length === 0) return html`<p class="muted">None yet.</p>`;
  return html`<table id="emails"><thead><tr><th>Sent</th><th>Subject</th><th>Status</th></tr></thead><tbody>
${items.map((m) => html`<tr><td>${when(m.sentAt)}</td><td><a href="${orderHref(root, order.id)}/emails/${encodeURIComponent(m.operationId)}">${m.subject}</a></td><td>${badge(m.status)}</td></tr>`)}
</tbody></table>`;
}

/** One email as the customer sees it: the HTML in a sandboxed frame (its links open in the tab), the links it holds, the text. */
export function emailPage(o: { root: string; order: OrderView; email: MailboxItem }): string {
  const m = o.email;
  // Links in the frame navigate the whole tab, as they would leave a mail client.
  const srcdoc = m.html.replace(/<head>/i, '<head><base target="_top">');
  const links = [...m.html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/gi)].map((x) => ({ href: decodeEntities(x[1]), text: decodeEntities(x[2].replace(/<[^>]+>/g, '')) }));
  const body = html`<h1>${m.subject}</h1>
<p class="muted">To ${m.to.join(', ')} · ${when(m.sentAt)} · ${badge(m.status)} · order <a href="${orderHref(o.root, o.order.id)}">${o.order.id}</a></p>
<iframe title="${m.subject}" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="${srcdoc}"></iframe>
<h2>Links in this email</h2>
<ul id="email-links">${links.map((l) => html`<li><a href="${safeHref(l.href)}">${l.text}</a> <span class="muted">${l.href}</span></li>`)}</ul>
<details><summary>Plain text</summary><pre>${m.text}</pre></details>`;
  return page({ title: m.subject, root: o.root, here: 'orders', body });
}

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] as string);
}

export function messagePage(o: { root: string; title: string; detail?: string; problem?: Problem }): string {
  const p = o.problem;
  const body = html`<h1>${o.title}</h1>${o.detail ? html`<p>${o.detail}</p>` : ''}${p ? html`<section class="card"><p><strong>${p.status} ${p.title}</strong></p>${p.detail ? html`<p>${p.detail}</p>` : ''}${p.type ? html`<p class="muted">${p.type}</p>` : ''}</section>` : ''}<p><a href="${o.root}/orders">All orders</a></p>`;
  return page({ title: o.title, root: o.root, here: 'orders', body });
}

// The simulators as the console shows them: every PayPal order (payments, refunds, trackers,
// disputes) and every carrier shipment (tracking events), newest first, from their /dev views.
import type { Problem } from './api-client';
import { badge, html, page, when } from './html';
import type { Html } from './html';
import { orderHref } from './order-pages';

interface Amount { value: string; currency_code: string }

/** What /dev/paypal/orders answers per order (the fields shown here). */
export interface PayPalDevOrder {
  order: { id: string; status: string; intent?: string; create_time?: string; purchase_units?: { reference_id?: string; custom_id?: string; amount?: Amount }[] };
  authorizations?: { id: string; status: string; amount?: Amount }[];
  captures?: { id: string; status: string; amount?: Amount; seller_protection?: { status?: string } }[];
  refunds?: { id: string; status: string; amount?: Amount }[];
  trackers?: { id: string; status: string; tracking_number?: string; carrier?: string; carrier_name_other?: string }[];
  disputes?: { dispute_id: string; status?: string; reason?: string; dispute_life_cycle_stage?: string }[];
}

/** What /dev/shipments answers per shipment (the fields shown here). */
export interface DevShipment {
  trackingNumber: string;
  reference: string | null;
  createdAt: string;
  events: { typeCode: string; description: string; status: string; dueAt: string; emitted: boolean }[];
  webhookDeliveries?: { deliveredAt: string | null; gaveUpAt: string | null; attempts: number }[];
}

const amount = (a: Amount | undefined): string => (a ? `${a.currency_code} ${a.value}` : '–');
const orderIdPattern = /^ord_[A-Za-z0-9_-]{16}$/;

function orderLink(root: string, reference: string | null | undefined): Html | string {
  if (!reference) return '–';
  return orderIdPattern.test(reference) ? html`<a href="${orderHref(root, reference)}"><code>${reference}</code></a>` : html`<code>${reference}</code>`;
}

function problemBody(p: Problem): Html {
  return html`<p class="flash err">Could not read the simulator: ${p.title} ${p.detail ?? ''}</p>`;
}

export function paypalPage(root: string, orders: PayPalDevOrder[] | Problem): string {
  const body = Array.isArray(orders)
    ? html`<h1>PayPal orders (simulator)</h1><p class="muted">${orders.length} order(s), newest first.</p>
<table id="paypal-orders"><thead><tr><th>PayPal order</th><th>Our order</th><th>Status</th><th class="num">Amount</th><th>Created</th><th>Payments</th><th>Refunds</th><th>Trackers</th><th>Disputes</th></tr></thead><tbody>
${orders.map((o) => {
  const unit = o.order.purchase_units?.[0];
  return html`<tr id="${o.order.id}"><td><code>${o.order.id}</code><br><span class="muted">${o.order.intent ?? ''}</span></td><td>${orderLink(root, unit?.reference_id ?? unit?.custom_id)}</td>
<td>${badge(o.order.status)}</td><td class="num">${amount(unit?.amount)}</td><td>${when(o.order.create_time)}</td>
<td>${(o.authorizations ?? []).map((a) => html`auth <code>${a.id}</code> ${badge(a.status)}<br>`)}${(o.captures ?? []).map((c) => html`capture <code>${c.id}</code> ${badge(c.status)} ${amount(c.amount)}${c.seller_protection?.status ? html` · protection ${badge(c.seller_protection.status)}` : ''}<br>`)}</td>
<td>${(o.refunds ?? []).map((r) => html`<code>${r.id}</code> ${badge(r.status)} ${amount(r.amount)}<br>`)}</td>
<td>${(o.trackers ?? []).map((t) => html`${t.carrier_name_other ?? t.carrier ?? ''} <code>${t.tracking_number ?? t.id}</code> ${badge(t.status)}<br>`)}</td>
<td>${(o.disputes ?? []).map((d) => html`<code>${d.dispute_id}</code> ${d.reason ?? ''} ${d.dispute_life_cycle_stage ?? ''} ${badge(d.status ?? '?')}<br>`)}</td></tr>`;
})}</tbody></table>`
    : problemBody(orders);
  return page({ title: 'PayPal', root, here: 'paypal', body });
}

export function shipmentsPage(root: string, shipments: DevShipment[] | Problem): string {
  const body = Array.isArray(shipments)
    ? html`<h1>Shipments (carrier simulator)</h1><p class="muted">${shipments.length} shipment(s), newest first.</p>
<table id="shipments"><thead><tr><th>Tracking</th><th>Our order</th><th>Status</th><th>Created</th><th>Events</th><th>Pushes</th></tr></thead><tbody>
${shipments.map((s) => {
  const happened = s.events.filter((e) => e.emitted);
  const pushes = s.webhookDeliveries ?? [];
  return html`<tr id="${s.trackingNumber}"><td><a href="/sim/dhl/track?trackingNumber=${encodeURIComponent(s.trackingNumber)}"><code>${s.trackingNumber}</code></a></td><td>${orderLink(root, s.reference)}</td>
<td>${badge(happened.at(-1)?.status ?? 'label created')}</td><td>${when(s.createdAt)}</td>
<td>${s.events.map((e) => html`<span class="${e.emitted ? '' : 'muted'}">${when(e.dueAt)} ${e.typeCode} ${e.description}${e.emitted ? '' : ' (planned)'}</span><br>`)}</td>
<td>${pushes.filter((w) => w.deliveredAt).length}/${pushes.length} delivered${pushes.some((w) => w.gaveUpAt) ? html` · ${badge('FAILED')}` : ''}</td></tr>`;
})}</tbody></table>`
    : problemBody(shipments);
  return page({ title: 'Shipments', root, here: 'shipments', body });
}

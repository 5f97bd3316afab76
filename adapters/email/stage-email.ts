// The customer's email for each order stage, as HTML with a plain-text alternative. Both are
// rendered from one description of the message (paragraphs, facts, order lines), so they always
// state the same facts. Every value from the event is escaped; links that are not http(s) are
// shown as text, never as href, so a hostile URL cannot become a javascript: link.
import { format } from '../../domain/money';
import type { Money } from '../../domain/money';
import type { EmailStage, OrderStageEvent } from '../../domain/order-events';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

type Inline = string | { text: string; href: string };

interface Content {
  subject: string;
  heading: string;
  paragraphs: Inline[][];
  /** Label/value pairs shown as a small table (invoice number, tracking number, …). */
  facts: [string, Inline][];
}

/** The order's totals as priced (domain/pricing.ts): VAT is added to the net prices and shipping. */
export interface EmailTotals {
  subtotal: Money;
  discount: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

/** One row under the items: a label and a signed amount. The rows above Total add up to it. */
export interface SummaryRow {
  label: string;
  amount: Money;
}

/**
 * `orderUrl`: where the customer sees (and may cancel) the order. `totals`: the order's priced
 * totals; without them (or when they do not match the event) the rows are derived from the lines.
 */
export function renderStageEmail(event: OrderStageEvent, links: { orderUrl: string; totals?: EmailTotals }): RenderedEmail {
  const content = stageContent[event.stage](event, links.orderUrl);
  const rows = summaryRows(event, links.totals);
  return { subject: content.subject, html: toHtml(content, event, rows, links.orderUrl), text: toText(content, event, rows, links.orderUrl) };
}

/**
 * Subtotal (the lines), discount, shipping and VAT, then the total: shown only when they add up
 * to the event's total exactly, so an email never states figures that disagree.
 */
export function summaryRows(e: OrderStageEvent, totals?: EmailTotals): SummaryRow[] {
  const currency = e.total.currency;
  const m = (amount: number): Money => ({ amount, currency });
  const lines = e.lines.reduce((n, l) => n + l.lineTotal.amount, 0);
  const total: SummaryRow = { label: 'Total', amount: e.total };
  const sameCurrency = totals !== undefined && [totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total].every((x) => x.currency === currency);
  if (totals && sameCurrency && totals.subtotal.amount === lines && totals.total.amount === e.total.amount
      && totals.subtotal.amount - totals.discount.amount + totals.shipping.amount + totals.tax.amount === totals.total.amount) {
    return [
      { label: 'Subtotal', amount: totals.subtotal },
      ...(totals.discount.amount !== 0 ? [{ label: 'Discount', amount: m(-totals.discount.amount) }] : []),
      { label: 'Shipping', amount: totals.shipping },
      { label: 'VAT', amount: totals.tax },
      total,
    ];
  }
  const rest = e.total.amount - lines;
  return [{ label: 'Subtotal', amount: m(lines) }, ...(rest !== 0 ? [{ label: 'Shipping, VAT and discounts', amount: m(rest) }] : []), total];
}

const link = (href: string, text = href): Inline => ({ text, href });

/** "Approve the payment" when the buyer still has to approve it at PayPal. */
function approval(e: OrderStageEvent): Inline[][] {
  return e.approveUrl ? [['To complete your order, please approve the payment of ', format(e.total), ' with PayPal: ', link(e.approveUrl, 'approve the payment')]] : [];
}

/** What happened to the customer's money on a cancelled or failed order; never "not charged" when they were. */
function moneyBack(e: OrderStageEvent): Inline[] {
  if (e.refunded) return [`We are refunding ${format(e.refunded)} to your original payment method. It can take a few business days to appear.`];
  if (e.refundPending) return [`You were charged ${format(e.refundPending)} and we owe you a refund. PayPal has not accepted it yet; we keep trying and will email you as soon as it has gone through.`];
  return [`You have not been charged. Any hold on your payment method for ${format(e.total)} is released.`];
}

const stageContent: Record<EmailStage, (e: OrderStageEvent, orderUrl: string) => Content> = {
  received: (e) => ({
    subject: `We received your order ${e.orderId}`,
    heading: 'Thank you for your order',
    paragraphs: [[`We received your order ${e.orderId} and are processing it.`], ...approval(e)],
    facts: [['Order total', format(e.total)]],
  }),
  invoiced: (e) => ({
    subject: e.invoiceNumber ? `Invoice ${e.invoiceNumber} for your order ${e.orderId}` : `Invoice for your order ${e.orderId}`,
    heading: 'Your invoice',
    paragraphs: [[`We issued the invoice for your order ${e.orderId}.`], ...approval(e)],
    facts: [
      ...(e.invoiceNumber ? ([['Invoice number', e.invoiceNumber]] as [string, Inline][]) : []),
      ['Amount due', format(e.total)],
    ],
  }),
  // PayPal holds the capture (its review, an eCheck clearing). Its reason code is for operators.
  'payment-pending': (e) => ({
    subject: `Your payment for order ${e.orderId} is being confirmed`,
    heading: 'Waiting for your payment to clear',
    paragraphs: [
      [`PayPal is still confirming your payment of ${format(e.total)} for order ${e.orderId}. This usually takes a few hours, at most a few days.`],
      ['We will ship your order as soon as the payment is confirmed and email you then. If PayPal does not confirm it, you will not be charged.'],
    ],
    facts: [['Amount', format(e.total)]],
  }),
  // PayPal refuses our credentials: our problem, retried; the buyer's payment is fine.
  'payment-delayed': (e, orderUrl) => ({
    subject: `The payment for your order ${e.orderId} is delayed`,
    heading: 'Your order is delayed',
    paragraphs: [
      [`We could not complete the payment for order ${e.orderId} because of a technical problem on our side. Your payment method is fine and nothing more than the authorized ${format(e.total)} is held.`],
      ['We keep trying and will email you as soon as your payment goes through. If you would rather not wait, you can ', link(orderUrl, 'cancel the order'), ' and the hold is released.'],
    ],
    facts: [['Amount', format(e.total)]],
  }),
  paid: (e) => ({
    subject: `Payment received for your order ${e.orderId}`,
    heading: 'Payment received',
    paragraphs: [[`We received your payment of ${format(e.total)} for order ${e.orderId}. We will let you know when it ships.`]],
    facts: [['Amount paid', format(e.total)]],
  }),
  // The order is on hold (carrier down or refusing us): paid and packed, not shipped yet. The
  // technical reason is for operators, not the customer.
  delayed: (e, orderUrl) => ({
    subject: `Your order ${e.orderId} is delayed`,
    heading: 'Your order is delayed',
    paragraphs: [
      [`Your order ${e.orderId} is paid and packed, but our carrier cannot accept it right now. We will ship it as soon as it can and send you the tracking number.`],
      ['If you would rather not wait, you can ', link(orderUrl, 'cancel the order'), ` and we will refund the ${format(e.total)} you paid in full.`],
    ],
    facts: [['Amount paid', format(e.total)]],
  }),
  shipped: (e) => ({
    subject: `Your order ${e.orderId} has shipped`,
    heading: 'Your order is on its way',
    paragraphs: [
      [`Your order ${e.orderId} has shipped${e.carrier ? ` with ${e.carrier}` : ''}.`],
      ...(e.trackingUrl ? [['Track your parcel: ', link(e.trackingUrl)]] : []),
    ],
    facts: [
      ...(e.carrier ? ([['Carrier', e.carrier]] as [string, Inline][]) : []),
      ...(e.trackingNumber ? ([['Tracking number', e.trackingUrl ? link(e.trackingUrl, e.trackingNumber) : e.trackingNumber]] as [string, Inline][]) : []),
    ],
  }),
  delivered: (e) => ({
    subject: `Your order ${e.orderId} was delivered`,
    heading: 'Delivered',
    paragraphs: [[`Your order ${e.orderId} was delivered${e.carrier ? ` by ${e.carrier}` : ''}. We hope you enjoy it.`]],
    facts: e.trackingNumber ? [['Tracking number', e.trackingNumber]] : [],
  }),
  cancelled: (e) => ({
    subject: `Your order ${e.orderId} was cancelled`,
    heading: 'Order cancelled',
    paragraphs: [
      [`Your order ${e.orderId} was cancelled${e.reason ? `: ${e.reason}` : '.'}`],
      // The saga refunds a captured payment and publishes `refunded` with the event; otherwise
      // nothing was captured and only the authorization hold is released.
      moneyBack(e),
    ],
    facts: [
      ...(e.reason ? ([['Reason', e.reason]] as [string, Inline][]) : []),
      ...(e.refunded ? ([['Refund', format(e.refunded)]] as [string, Inline][]) : []),
      ...(e.refundPending ? ([['Refund due', format(e.refundPending)]] as [string, Inline][]) : []),
    ],
  }),
  'payment-failed': (e) => ({
    subject: `Payment for your order ${e.orderId} did not go through`,
    heading: 'Payment not completed',
    paragraphs: [
      [`We could not complete the payment of ${format(e.total)} for order ${e.orderId}${e.reason ? `: ${e.reason}` : '.'}`],
      moneyBack(e),
      ['You are welcome to place the order again with another payment method.'],
    ],
    facts: [
      ['Amount', format(e.total)],
      ...(e.reason ? ([['Reason', e.reason]] as [string, Inline][]) : []),
      ...(e.refundPending ? ([['Refund due', format(e.refundPending)]] as [string, Inline][]) : []),
    ],
  }),
  // The authorization ran out (PayPal honours one for 29 days) before we could take the money.
  'payment-expired': (e) => ({
    subject: `Your order ${e.orderId} was cancelled: the payment authorization expired`,
    heading: 'Order cancelled',
    paragraphs: [
      [`We could not take the payment of ${format(e.total)} for order ${e.orderId} before PayPal's authorization expired, so the order is cancelled.`],
      [`You have not been charged; the hold on your payment method is released.`],
      ['You are welcome to place the order again.'],
    ],
    facts: [['Amount', format(e.total)]],
  }),
  refunded: (e) => {
    const amount: Money = e.refunded ?? e.total;
    return {
      subject: `Refund of ${format(amount)} for your order ${e.orderId}`,
      heading: 'Refund issued',
      paragraphs: [[`We refunded ${format(amount)} for order ${e.orderId} to your original payment method. It can take a few business days to appear.`]],
      facts: [
        ['Refunded amount', format(amount)],
        ...(e.reason ? ([['Reason', e.reason]] as [string, Inline][]) : []),
      ],
    };
  },
};

// ---- HTML ----

function toHtml(c: Content, e: OrderStageEvent, rows: SummaryRow[], orderUrl: string): string {
  const cell = 'padding:4px 8px;border-bottom:1px solid #eee';
  const facts = c.facts.length
    ? `<table role="presentation" style="border-collapse:collapse;margin:12px 0">${c.facts
        .map(([label, value]) => `<tr><th style="${cell};text-align:left">${esc(label)}</th><td style="${cell}">${inlineHtml(value)}</td></tr>`)
        .join('')}</table>`
    : '';
  const lines = e.lines
    .map(
      (l) =>
        `<tr><td style="${cell}">${esc(l.name)}<br><small style="color:#666">${esc(l.sku)}</small></td><td style="${cell};text-align:right">${l.quantity}</td><td style="${cell};text-align:right">${esc(format(l.lineTotal))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(c.subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;color:#222;max-width:600px;margin:0 auto;padding:16px">
<h1 style="font-size:22px">${esc(c.heading)}</h1>
<p>Hello ${esc(e.customer.name)},</p>
${c.paragraphs.map((p) => `<p>${p.map(inlineHtml).join('')}</p>`).join('\n')}
${facts}
<table style="border-collapse:collapse;width:100%;margin:12px 0">
<thead><tr><th style="${cell};text-align:left">Item</th><th style="${cell};text-align:right">Qty</th><th style="${cell};text-align:right">Amount</th></tr></thead>
<tbody>${lines}</tbody>
<tfoot>${rows
    .map((r) => {
      const tag = r.label === 'Total' ? 'th' : 'td';
      return `<tr><${tag} colspan="2" style="${cell};text-align:right">${esc(r.label)}</${tag}><${tag} style="${cell};text-align:right">${esc(format(r.amount))}</${tag}></tr>`;
    })
    .join('')}</tfoot>
</table>
<p>${inlineHtml(link(orderUrl, `View order ${e.orderId}`))}</p>
</body></html>`;
}

function inlineHtml(i: Inline): string {
  if (typeof i === 'string') return esc(i);
  return isWebUrl(i.href) ? `<a href="${esc(i.href)}">${esc(i.text)}</a>` : esc(i.text === i.href ? i.text : `${i.text} (${i.href})`);
}

function isWebUrl(href: string): boolean {
  try {
    const { protocol } = new URL(href);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

// ---- plain text ----

function toText(c: Content, e: OrderStageEvent, rows: SummaryRow[], orderUrl: string): string {
  const width = Math.max(...c.facts.map(([label]) => label.length), 0);
  const rowWidth = Math.max(...rows.map((r) => r.label.length)) + 2;
  return [
    c.heading,
    '',
    `Hello ${e.customer.name},`,
    '',
    ...c.paragraphs.flatMap((p) => [p.map(inlineText).join(''), '']),
    ...(c.facts.length ? [...c.facts.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${inlineText(value)}`), ''] : []),
    'Items:',
    ...e.lines.map((l) => `  ${l.quantity} × ${l.name} (${l.sku})  ${format(l.lineTotal)}`),
    ...rows.map((r) => `${`${r.label}:`.padEnd(rowWidth)}${format(r.amount)}`),
    '',
    `View order ${e.orderId}: ${orderUrl}`,
    '',
  ].join('\n');
}

/** Link text followed by its address, unless the text already is the address. */
function inlineText(i: Inline): string {
  if (typeof i === 'string') return i;
  return i.text === i.href ? i.href : `${i.text} (${i.href})`;
}

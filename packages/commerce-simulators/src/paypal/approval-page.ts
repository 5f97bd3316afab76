// The buyer's side of checkout: a small page standing in for www.paypal.com/checkoutnow, where a
// person (or a test) approves or cancels an order.
import type { OrderRecord } from './paypal-store';

export function approvalPage(order: OrderRecord, formAction: string): string {
  const unit = order.purchase_units[0];
  const open = order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED';
  const body = open
    ? `<form method="post" action="${escape(formAction)}">
  <button name="action" value="approve">Approve and continue</button>
  <button name="action" value="cancel">Cancel and return</button>
</form>`
    : `<p>This order is ${escape(order.status)}; nothing to approve.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal simulator – checkout</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}button{margin:.3rem;padding:.6rem 1rem}</style></head>
<body>
<h1>PayPal (simulator)</h1>
<p>Pay <strong>${escape(unit.amount.value)} ${escape(unit.amount.currency_code)}</strong> for order ${escape(unit.reference_id)} as buyer@example.com.</p>
${body}
</body></html>
`;
}

export function notFoundPage(token: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PayPal simulator</title></head><body><p>No order ${escape(token)}.</p></body></html>\n`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

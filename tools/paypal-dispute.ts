// npm run paypal:dispute — the local buyer's side of a PayPal dispute, like `stripe trigger`:
// opens a dispute against one of our orders in the PayPal simulator (which sends the signed
// CUSTOMER.DISPUTE webhooks), and escalates or adjudicates it. Local stand-in only.
//
//   npm run paypal:dispute -- open <orderId> [--reason R] [--stage INQUIRY|CHARGEBACK] [--status OPEN] [--amount 12.50] [--days 10] [--duplicate] [--reorder]
//   npm run paypal:dispute -- escalate <disputeId>
//   npm run paypal:dispute -- adjudicate <disputeId> BUYER_FAVOR|SELLER_FAVOR
//   (--base http://127.0.0.1:7071 where the stand-in runs)
import { parseArgs } from 'node:util';

const usage = 'usage: npm run paypal:dispute -- open <orderId> [--reason R] [--stage S] [--status OPEN] [--amount 12.50] [--days N] [--duplicate] [--reorder] | escalate <disputeId> | adjudicate <disputeId> BUYER_FAVOR|SELLER_FAVOR  [--base URL]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string', default: 'http://127.0.0.1:7071' },
      reason: { type: 'string', default: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' },
      stage: { type: 'string' },
      status: { type: 'string' },
      amount: { type: 'string' },
      days: { type: 'string' },
      duplicate: { type: 'boolean', default: false },
      reorder: { type: 'boolean', default: false },
    },
  });
  const [command, id, outcome] = positionals;
  const base = values.base!.replace(/\/+$/, '');
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/sim/paypal${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as { dispute_id: string; status: string; reason: string; dispute_life_cycle_stage: string; seller_response_due_date?: string };
  };
  if (!command || !id) throw new Error(usage);
  let d;
  if (command === 'open') {
    // Our order id → the PayPal order (its purchase unit carries our id as reference).
    const res = await fetch(`${base}/dev/paypal/orders?reference=${encodeURIComponent(id)}`);
    const orders = res.ok ? ((await res.json()) as { orders: { order: { id: string } }[] }).orders : [];
    if (orders.length === 0) throw new Error(`no PayPal order for ${id} in the simulator at ${base}`);
    d = await post('/disputes', {
      order_id: orders[orders.length - 1].order.id,
      reason: values.reason,
      ...(values.stage ? { stage: values.stage } : {}),
      ...(values.status ? { status: values.status } : {}),
      ...(values.amount ? { amount: { currency_code: 'EUR', value: values.amount } } : {}),
      ...(values.days ? { response_days: Number(values.days) } : {}),
      delivery: { duplicate: values.duplicate, reorder: values.reorder },
    });
  } else if (command === 'escalate') {
    d = await post(`/disputes/${encodeURIComponent(id)}/escalate`, {});
  } else if (command === 'adjudicate' && (outcome === 'BUYER_FAVOR' || outcome === 'SELLER_FAVOR')) {
    d = await post(`/disputes/${encodeURIComponent(id)}/adjudicate`, { outcome });
  } else {
    throw new Error(usage);
  }
  console.log(`${d.dispute_id}: ${d.reason}, ${d.dispute_life_cycle_stage}, ${d.status}${d.seller_response_due_date ? `, seller's answer due ${d.seller_response_due_date}` : ''}`);
  console.log(`watch it: curl -s ${base}/api/v1/disputes/${d.dispute_id} -H "authorization: Bearer $ADMIN"`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});

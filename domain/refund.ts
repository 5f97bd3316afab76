// Refunds after shipment (returns, lost or damaged goods): by item and quantity, plus optionally
// the shipping fee. Amounts come from the invoice, never from the caller. A line's net and tax are
// refunded by cumulative share: after c of its n units, floor(total × c / n) has been refunded, so
// however a line is returned (one unit at a time or all at once) the refunds add up exactly to
// the invoiced line, never more, and never a negative amount.
import { shippingLine, shippingSku } from './invoice';
import type { Money } from './money';
import { add, money, sum } from './money';
import type { Order, Refund, RefundLine } from './order';
import type { OrderStatus } from './order-status';

export interface RefundRequest {
  /** `restock`: the units came back in sellable condition. */
  items: { sku: string; quantity: number; restock?: boolean }[];
  shipping: boolean;
  reason: string;
}

export type RefundProblemCode = 'unknown-sku' | 'duplicate-sku' | 'quantity-exceeded' | 'shipping-already-refunded' | 'nothing-to-refund';

export interface RefundProblem {
  code: RefundProblemCode;
  message: string;
  pointer: string;
}

/** Goods have left: before that, cancelling the order is the way to get the money back. */
export const refundableStatuses: ReadonlySet<OrderStatus> = new Set(['shipped', 'delivered']);

/** Refunds that hold their share of the order (all but the ones PayPal refused). */
const standing = (order: Order): Refund[] => (order.refunds ?? []).filter((r) => r.status !== 'failed');

/** Units of `sku` already refunded or being refunded. */
export function refundedUnits(order: Order, sku: string): number {
  return standing(order).flatMap((r) => r.lines).filter((l) => l.sku === sku).reduce((n, l) => n + l.quantity, 0);
}

/** floor(total × c / n) in minor units: what c of n units are worth, cumulatively. */
const share = (total: Money, c: number, n: number): Money => money(Math.floor((total.amount * c) / n), total.currency);
const minus = (a: Money, b: Money): Money => money(a.amount - b.amount, a.currency);

export type RefundPlan = { ok: true; lines: RefundLine[]; amount: Money } | { ok: false; problems: RefundProblem[] };

/** The lines and amount of a refund, or why it cannot be made; the order's status is checked elsewhere. */
export function planRefund(order: Order, req: RefundRequest): RefundPlan {
  const q = order.quote;
  const problems: RefundProblem[] = [];
  const lines: RefundLine[] = [];
  const seen = new Set<string>();
  req.items.forEach((item, i) => {
    const pointer = `/items/${i}`;
    const line = q.lines.find((l) => l.sku === item.sku);
    if (!line) return problems.push({ code: 'unknown-sku', message: `${item.sku} is not on this order.`, pointer: `${pointer}/sku` });
    if (seen.has(item.sku)) return problems.push({ code: 'duplicate-sku', message: `${item.sku} is listed twice; give its total quantity once.`, pointer: `${pointer}/sku` });
    seen.add(item.sku);
    const before = refundedUnits(order, item.sku);
    if (before + item.quantity > line.quantity) {
      return problems.push({ code: 'quantity-exceeded', message: `${line.quantity} × ${item.sku} were ordered and ${before} already refunded: at most ${line.quantity - before} more.`, pointer: `${pointer}/quantity` });
    }
    const net = money(line.lineTotal.amount - line.discount.amount, q.currency);
    const after = before + item.quantity;
    lines.push({
      sku: line.sku,
      description: line.name,
      quantity: item.quantity,
      unitPrice: line.unitPrice,
      net: minus(share(net, after, line.quantity), share(net, before, line.quantity)),
      taxRate: line.taxRate,
      tax: minus(share(line.tax, after, line.quantity), share(line.tax, before, line.quantity)),
    });
  });
  if (req.shipping) {
    if (refundedUnits(order, shippingSku) > 0) {
      problems.push({ code: 'shipping-already-refunded', message: 'The shipping fee was already refunded.', pointer: '/shipping' });
    } else {
      lines.push(shippingLine(q));
    }
  }
  if (problems.length === 0 && lines.length === 0) problems.push({ code: 'nothing-to-refund', message: 'Name at least one item, or the shipping fee.', pointer: '/items' });
  if (problems.length > 0) return { ok: false, problems };
  const amount = sum(q.currency, lines.map((l) => add(l.net, l.tax)));
  if (amount.amount === 0) return { ok: false, problems: [{ code: 'nothing-to-refund', message: 'These items were free of charge: there is nothing to refund.', pointer: '/items' }] };
  return { ok: true, lines, amount };
}

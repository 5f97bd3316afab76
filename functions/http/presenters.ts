// Domain objects → the public JSON shapes (amounts in minor units, currency stated once per object).
import type { Money } from '../../domain/money';
import type { PricingProblem, Quote } from '../../domain/pricing';
import type { Problem } from './problem';
import type { CatalogEntry } from '../../adapters/catalog/store-config';
import type { z } from 'zod';
import type { Order } from '../../domain/order';
import { isCancellable } from '../../domain/order-status';
import type { Refund } from '../../domain/order';
import type { RefundProblem } from '../../domain/refund';
import type { orderSchema, orderSummarySchema, productSchema, quoteSchema, refundSchema } from './schemas';

const minor = (m: Money): number => m.amount;

export function presentQuote(q: Quote): z.infer<typeof quoteSchema> {
  return {
    currency: q.currency,
    items: q.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: minor(l.unitPrice),
      lineTotal: minor(l.lineTotal),
      discount: minor(l.discount),
      taxRate: l.taxRate,
      tax: minor(l.tax),
    })),
    shipping: { method: q.shipping.method, weightGrams: q.shipping.weightGrams, amount: minor(q.shipping.amount), taxRate: q.shipping.taxRate, tax: minor(q.shipping.tax) },
    discountCode: q.discountCode,
    totals: {
      currency: q.currency,
      subtotal: minor(q.totals.subtotal),
      discount: minor(q.totals.discount),
      tax: minor(q.totals.tax),
      shipping: minor(q.totals.shipping),
      total: minor(q.totals.total),
    },
  };
}

export function presentProduct(p: CatalogEntry): z.infer<typeof productSchema> {
  return { sku: p.sku, name: p.name, unitPrice: minor(p.unitPrice), currency: p.unitPrice.currency, weightGrams: p.weightGrams, taxCategory: p.taxCategory, inStock: p.stock > 0 };
}

export const orderPath = (id: string): string => `/api/v1/orders/${id}`;

export function presentOrder(o: Order): z.infer<typeof orderSchema> {
  const q = o.quote;
  const path = orderPath(o.id);
  return {
    id: o.id,
    status: o.status,
    customer: { id: o.customer.id, email: o.customer.email, name: o.customer.name },
    shippingAddress: o.shippingAddress,
    shippingMethod: q.shipping.method,
    discountCode: q.discountCode,
    items: q.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: minor(l.unitPrice), lineTotal: minor(l.lineTotal), discount: minor(l.discount), tax: minor(l.tax) })),
    totals: presentQuote(q).totals,
    payment: {
      method: o.payment.method,
      vaulted: o.payment.vaultId !== undefined,
      paypalOrderId: o.charge?.providerOrderId ?? null,
      captureId: o.charge?.captureId ?? null,
      approveUrl: o.status === 'awaiting-payment' ? (o.charge?.approveUrl ?? null) : null,
      refunded: o.charge?.refunded ? minor(o.charge.refunded) : null,
      voided: o.charge?.voided === true,
      voidFailure: o.charge?.voidFailure ?? null,
      sellerProtection: o.charge?.sellerProtection ? { status: o.charge.sellerProtection.status, disputeCategories: [...o.charge.sellerProtection.disputeCategories] } : null,
      refundFailure: o.charge?.refundFailure && !o.charge.refunded ? { ...o.charge.refundFailure } : null,
    },
    invoice: o.invoice ? { number: o.invoice.number, issuedAt: o.invoice.issuedAt } : null,
    creditNote: o.creditNote ? { number: o.creditNote.number, issuedAt: o.creditNote.issuedAt } : null,
    shipment: o.shipment
      ? {
          carrier: o.shipment.carrier,
          trackingNumber: o.shipment.trackingNumber,
          trackingUrl: o.shipment.trackingUrl,
          shippedAt: o.shipment.shippedAt,
          deliveredAt: o.shipment.deliveredAt ?? null,
          paypalTracker: o.shipment.payPalTracker ? { id: o.shipment.payPalTracker.id, status: o.shipment.payPalTracker.status } : null,
        }
      : null,
    disputes: (o.disputes ?? []).map((d) => ({ disputeId: d.disputeId, reason: d.reason, stage: d.stage, status: d.status, amount: minor(d.amount), currency: d.amount.currency, dueAt: d.dueAt ?? null, outcome: d.outcome ?? null, updatedAt: d.updatedAt })),
    cancellationReason: o.cancellationReason ?? null,
    refunds: (o.refunds ?? []).map(presentRefund),
    timeline: o.timeline.map((t) => ({ status: t.status, event: t.event, at: t.at })),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    links: { self: path, cancel: isCancellable(o.status) ? `${path}/cancel` : null },
  };
}

export function presentRefund(r: Refund): z.infer<typeof refundSchema> {
  return {
    id: r.id,
    status: r.status,
    items: r.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, net: minor(l.net), tax: minor(l.tax) })),
    amount: minor(r.amount),
    currency: r.amount.currency,
    reason: r.reason,
    restock: r.restock ?? [],
    requestedAt: r.requestedAt,
    requestedBy: r.requestedBy,
    completedAt: r.completedAt ?? null,
    creditNote: r.creditNote?.number ?? null,
    paypalRefundId: r.providerRefundId ?? null,
    failure: r.failure ?? null,
  };
}

export function presentOrderSummary(o: Order): z.infer<typeof orderSummarySchema> {
  return {
    id: o.id,
    status: o.status,
    customerId: o.customer.id,
    itemCount: o.quote.lines.reduce((n, l) => n + l.quantity, 0),
    totals: presentQuote(o.quote).totals,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    links: { self: orderPath(o.id) },
  };
}

/** 422: the request was valid, but the cart cannot be priced (unknown SKU, destination not served, ...). */
/** 422 with one entry per problem, each pointing at its field. */
function unprocessable(type: 'cart-invalid' | 'refund-invalid', title: string, problems: (PricingProblem | RefundProblem)[]): Problem {
  return {
    status: 422,
    type,
    title,
    detail: problems.map((p) => p.message).join(' '),
    errors: problems.map((p) => ({ code: p.code, pointer: p.pointer, detail: p.message })),
  };
}

export const cartInvalid = (problems: PricingProblem[]): Problem => unprocessable('cart-invalid', 'The cart cannot be priced', problems);

export const refundInvalid = (problems: RefundProblem[]): Problem => unprocessable('refund-invalid', 'The refund cannot be made', problems);

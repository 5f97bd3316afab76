// Invoices and credit notes: built from the order's server-side quote, so the document repeats
// exactly the amounts the customer was charged, with the tax broken down by rate.
import type { Money } from './money';
import { add, subtract, sum } from './money';
import type { InvoiceLine } from './document-line';
import type { Order } from './order';

export interface Party {
  name: string;
  lines: string[];
  vatId?: string;
  email?: string;
}


export interface Invoice {
  /** Cosmos id: the number is unique. */
  id: string;
  number: string;
  kind: 'invoice' | 'credit-note';
  /** For a credit note: the invoice it reverses. */
  corrects?: string;
  orderId: string;
  customerId: string;
  issuedAt: string;
  seller: Party;
  buyer: Party;
  lines: InvoiceLine[];
  taxBreakdown: { taxRate: number; net: Money; tax: Money }[];
  totals: { net: Money; tax: Money; gross: Money };
}

/** `INV-2026-000042`: a series, the year, and a gapless sequence number within them. */
export function formatDocumentNumber(series: 'INV' | 'CN', year: number, n: number): string {
  return `${series}-${year}-${String(n).padStart(6, '0')}`;
}

type DocumentHeader = { number: string; kind: Invoice['kind']; corrects?: string; issuedAt: string; seller: Party };

/** The invoice of the whole order, or (kind credit-note) the credit note that reverses all of it. */
export function buildInvoice(order: Order, doc: DocumentHeader): Invoice {
  const q = order.quote;
  const lines: InvoiceLine[] = q.lines.map((l) => ({
    sku: l.sku,
    description: l.name,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    net: subtract(l.lineTotal, l.discount),
    taxRate: l.taxRate,
    tax: l.tax,
  }));
  lines.push(shippingLine(q));
  return document(order, lines, doc);
}

export const shippingSku = 'SHIPPING';

/** The shipping fee as an invoice line. */
export function shippingLine(q: Order['quote']): InvoiceLine {
  return { sku: shippingSku, description: `Shipping (${q.shipping.method})`, quantity: 1, unitPrice: q.shipping.amount, net: q.shipping.amount, taxRate: q.shipping.taxRate, tax: q.shipping.tax };
}

/** The credit note for part of an order: exactly the lines (and amounts) of one refund. */
export function buildPartialCreditNote(order: Order, lines: InvoiceLine[], doc: Omit<DocumentHeader, 'kind'>): Invoice {
  return document(order, lines, { ...doc, kind: 'credit-note' });
}

function document(order: Order, lines: InvoiceLine[], doc: DocumentHeader): Invoice {
  const q = order.quote;
  const rates = [...new Set(lines.map((l) => l.taxRate))].sort((a, b) => b - a);
  const taxBreakdown = rates.map((taxRate) => {
    const at = lines.filter((l) => l.taxRate === taxRate);
    return { taxRate, net: sum(q.currency, at.map((l) => l.net)), tax: sum(q.currency, at.map((l) => l.tax)) };
  });
  const net = sum(q.currency, lines.map((l) => l.net));
  const tax = sum(q.currency, lines.map((l) => l.tax));
  const a = order.shippingAddress;
  return {
    id: doc.number,
    number: doc.number,
    kind: doc.kind,
    ...(doc.corrects ? { corrects: doc.corrects } : {}),
    orderId: order.id,
    customerId: order.customer.id,
    issuedAt: doc.issuedAt,
    seller: doc.seller,
    buyer: { name: a.name, lines: [a.line1, ...(a.line2 ? [a.line2] : []), `${a.postalCode} ${a.city}`, a.country], email: order.customer.email },
    lines,
    taxBreakdown,
    totals: { net, tax, gross: add(net, tax) },
  };
}

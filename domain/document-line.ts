// One line of an invoice or credit note: what was sold (or refunded), at what price and tax. A
// leaf of the domain, so the order (whose refunds carry such lines) and the documents built from
// the order can both use it without importing each other.
import type { Money } from './money';

export interface InvoiceLine {
  sku: string;
  description: string;
  quantity: number;
  unitPrice: Money;
  /** Line total after discount, before tax. */
  net: Money;
  taxRate: number;
  tax: Money;
}

// Places an order: prices the cart on the server, starts its saga, then stores the order. The saga
// is started first because its start is durable: if the process dies right after, the saga's
// first step stores the order itself, so no stored order is ever left without its saga. Every step
// is safe to repeat with the same order id, which is what makes a retried request (after a crash
// or a lost response) converge on one order and one saga.
import { createOrder } from '../domain/order';
import type { CheckoutContext, Customer, Order, ShippingAddress } from '../domain/order';
import { priceCart } from '../domain/pricing';
import type { PricingProblem, PricingRules, Product, ShippingMethod } from '../domain/pricing';
import type { OrderStore, OrderWorkflow, Versioned } from './ports';

export interface PlaceOrderInput {
  customer: Customer;
  items: { sku: string; quantity: number }[];
  shippingAddress: ShippingAddress;
  shippingMethod: ShippingMethod;
  discountCode?: string;
  payment: { method: 'paypal'; vaultId?: string };
  /** How the buyer checked out (address, browser, policies accepted); stamped with the order's time. */
  checkout?: Omit<CheckoutContext, 'at'>;
}

export interface PlaceOrderDeps {
  orders: OrderStore;
  workflow: OrderWorkflow;
  catalog: ReadonlyMap<string, Product>;
  rules: PricingRules;
}

export type PlaceOrderResult = { ok: true; order: Versioned<Order> } | { ok: false; problems: PricingProblem[] };

/**
 * `retry`: the order id was taken over from an earlier attempt of the same request, which may
 * have started the saga or stored the order already.
 */
export async function placeOrder(deps: PlaceOrderDeps, orderId: string, input: PlaceOrderInput, at: string, retry: boolean): Promise<PlaceOrderResult> {
  const priced = priceCart(
    { lines: input.items, country: input.shippingAddress.country, shippingMethod: input.shippingMethod, discountCode: input.discountCode },
    deps.catalog,
    deps.rules,
  );
  if (!priced.ok) return { ok: false, problems: priced.problems };
  const order = createOrder({ id: orderId, customer: input.customer, shippingAddress: input.shippingAddress, quote: priced.quote, payment: input.payment, at, ...(input.checkout ? { checkout: { ...input.checkout, at } } : {}) });
  await deps.workflow.start(order, retry);
  const stored = await deps.orders.create(order);
  if (stored !== 'exists') return { ok: true, order: stored };
  // An earlier attempt, or the saga, stored it first: keep what was stored (its price and time).
  const existing = await deps.orders.get(orderId, input.customer.id);
  if (!existing) throw new Error(`order ${orderId} exists but cannot be read back`);
  return { ok: true, order: existing };
}

export type CustomerEmail = { ok: true; email: string } | { ok: false; problem: 'mismatch' | 'unverified' | 'required' };

/**
 * Where the order's emails (with invoice and payment link) may go: only to the address the
 * token's issuer verified, so nobody can make the shop mail a stranger. An admin ordering on
 * behalf of another customer names that customer's address.
 */
export function customerEmail(caller: { email?: string; onBehalf: boolean }, requested: string | undefined): CustomerEmail {
  const asked = requested?.trim().toLowerCase();
  if (caller.onBehalf) return asked ? { ok: true, email: asked } : { ok: false, problem: 'required' };
  if (!caller.email) return { ok: false, problem: 'unverified' };
  if (asked !== undefined && asked !== caller.email) return { ok: false, problem: 'mismatch' };
  return { ok: true, email: caller.email };
}

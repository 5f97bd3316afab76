// Places an order: prices the cart on the server, stores the order and starts its saga. Every
// step is safe to repeat with the same order id, which is what makes a retried request (after a
// crash or a lost response) converge on one order and one saga.
import { createOrder } from '../domain/order';
import type { Customer, Order, ShippingAddress } from '../domain/order';
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
}

export interface PlaceOrderDeps {
  orders: OrderStore;
  workflow: OrderWorkflow;
  catalog: ReadonlyMap<string, Product>;
  rules: PricingRules;
}

export type PlaceOrderResult = { ok: true; order: Versioned<Order> } | { ok: false; problems: PricingProblem[] };

export async function placeOrder(deps: PlaceOrderDeps, orderId: string, input: PlaceOrderInput, at: string): Promise<PlaceOrderResult> {
  const priced = priceCart(
    { lines: input.items, country: input.shippingAddress.country, shippingMethod: input.shippingMethod, discountCode: input.discountCode },
    deps.catalog,
    deps.rules,
  );
  if (!priced.ok) return { ok: false, problems: priced.problems };
  const order = createOrder({ id: orderId, customer: input.customer, shippingAddress: input.shippingAddress, quote: priced.quote, payment: input.payment, at });
  let stored = await deps.orders.create(order);
  const fresh = stored !== 'exists';
  if (stored === 'exists') {
    // A previous attempt stored it and then failed: keep what was stored (its price and time).
    const existing = await deps.orders.get(orderId, input.customer.id);
    if (!existing) throw new Error(`order ${orderId} exists but cannot be read back`);
    stored = existing;
  }
  await deps.workflow.start(stored.value, !fresh);
  return { ok: true, order: stored };
}

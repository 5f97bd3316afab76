// Who may see which order: customers reach only their own partition (a point read keyed by
// the id in their token); admins look up any order. Anything not an order id is simply absent.
import type { Principal } from '../../adapters/auth/token-verifier';
import type { Order } from '../../domain/order';
import type { Versioned } from '../../application/ports';
import { orderIdSchema } from '../http/schemas';
import { getServices } from './services';

export async function orderForCaller(principal: Principal, id: string): Promise<Versioned<Order> | undefined> {
  if (!orderIdSchema.safeParse(id).success) return undefined;
  const { orders } = getServices();
  return principal.isAdmin ? orders.find(id) : orders.get(id, principal.customerId);
}

// One customer's cart as the application receives it, for the application-layer tests.
import type { PlaceOrderInput } from '../../application/place-order';

export const orderInput: PlaceOrderInput = {
  customer: { id: 'cust-1', email: 'ada@example.com', name: 'Ada Lovelace' },
  items: [{ sku: 'MUG-CER-350', quantity: 2 }],
  shippingAddress: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
  shippingMethod: 'standard',
  payment: { method: 'paypal', vaultId: 'vault-1' },
};

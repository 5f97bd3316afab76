// The PayPal simulator's public surface (see docs/paypal-simulator.md).
export { PayPalSimulator } from './paypal-simulator';
export type { PayPalSimulatorOptions } from './paypal-simulator';

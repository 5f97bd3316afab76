// Simulators of the PayPal REST API and the DHL Express MyDHL API that the vendors' real SDKs and
// HTTP clients talk to, as local services an app mounts on azure-standin (its config's setup hook).
export { PayPalSimulator } from './paypal/paypal-simulator';
export type { PayPalSimulatorOptions } from './paypal/paypal-simulator';
export { CarrierSimulator } from './carrier/carrier-simulator';
export type { CarrierSimulatorOptions } from './carrier/carrier-simulator';
export { signTrackingPush } from './carrier/push-signature';

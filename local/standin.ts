// How this app runs on the local stand-in (packages/azure-standin), named in package.json
// ("azureStandin"): its settings pointed at the local services, and the PayPal and DHL Express
// simulators (packages/commerce-simulators) mounted beside them. Never deployed.
import type { StandinConfig } from 'azure-standin';
import { CarrierSimulator, PayPalSimulator } from 'commerce-simulators';
import { OrdersConsole } from './console/orders-service';

/** Local credentials of the simulators: fixed, since they protect nothing outside this machine. */
const local = {
  paypalClientId: 'local-paypal-client',
  paypalClientSecret: 'local-paypal-secret',
  paypalWebhookId: 'LOCAL-WEBHOOK-1',
  carrierKey: 'local-dhl-key',
  carrierSecret: 'local-dhl-secret',
  carrierAccount: '123456789',
  senderDomain: 'orders.example.com',
};

const number = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);

const config: StandinConfig = {
  settings: {
    // Bodies above the largest the app accepts (a 256 KiB webhook) are refused before they are
    // buffered, as Bicep sets it in Azure.
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '262144',
    OTEL_SERVICE_NAME: 'order-backend',
  },
  serviceBusEntitiesFile: 'bicep/servicebus-entities.json',

  async setup(ctx) {
    const { setDefault, baseUrl } = ctx;
    setDefault('AUTH_ISSUER', ctx.issuer.issuer);
    setDefault('AUTH_AUDIENCE', ctx.issuer.audience);
    setDefault('AUTH_JWKS_URI', ctx.issuer.jwksUri);
    setDefault('PUBLIC_BASE_URL', baseUrl);

    setDefault('PAYPAL_CLIENT_ID', local.paypalClientId);
    setDefault('PAYPAL_CLIENT_SECRET', local.paypalClientSecret);
    setDefault('PAYPAL_API_BASE_URL', `${baseUrl}/sim/paypal`);
    setDefault('PAYPAL_WEBHOOK_ID', local.paypalWebhookId);
    setDefault('PAYPAL_CERT_ORIGINS', baseUrl);
    setDefault('CARRIER_API_BASE_URL', `${baseUrl}/sim/dhl/mydhlapi`);
    // The shipped email's tracking link opens the simulator's tracking page instead of DHL's.
    setDefault('CARRIER_TRACKING_URL', `${baseUrl}/sim/dhl/track?trackingNumber={trackingNumber}`);
    setDefault('CARRIER_API_KEY', local.carrierKey);
    setDefault('CARRIER_API_SECRET', local.carrierSecret);
    setDefault('CARRIER_ACCOUNT_NUMBER', local.carrierAccount);
    setDefault('CARRIER_WEBHOOK_SECRET', ctx.secret('carrier-webhook-secret'));
    const db = ctx.sqlite('simulators.db');
    ctx.mount(new PayPalSimulator({
      db,
      publicBaseUrl: baseUrl,
      webhookUrl: `${baseUrl}/api/v1/webhooks/paypal`,
      webhookId: process.env.PAYPAL_WEBHOOK_ID!,
      clientId: process.env.PAYPAL_CLIENT_ID!,
      clientSecret: process.env.PAYPAL_CLIENT_SECRET!,
      pendingCaptureMs: number('SIM_PAYPAL_PENDING_MS', 3_000),
      honorSeconds: number('SIM_PAYPAL_HONOR_SECONDS', 259_200),
      authorizationValidSeconds: number('SIM_PAYPAL_AUTHORIZATION_VALID_SECONDS', 2_505_600),
    }));
    ctx.mount(new CarrierSimulator({
      db,
      publicBaseUrl: baseUrl,
      apiKey: process.env.CARRIER_API_KEY!,
      apiSecret: process.env.CARRIER_API_SECRET!,
      webhookUrl: `${baseUrl}/api/v1/webhooks/carrier`,
      webhookSecret: process.env.CARRIER_WEBHOOK_SECRET!,
      pickedUpAfterMs: number('SIM_CARRIER_PICKUP_MS', 0),
      transitAfterMs: number('SIM_CARRIER_TRANSIT_MS', 5_000),
      deliveredAfterMs: number('SIM_CARRIER_DELIVERED_MS', 20_000),
    }));
    // The order console: the app's pages beside the stand-in's own (instances, Service Bus, telemetry, mailbox).
    ctx.mount(new OrdersConsole({ baseUrl, dataDir: ctx.dataDir }));
    ctx.consoleLink({ title: 'Orders', href: '/console/orders', description: 'Orders: timeline, money, documents, emails; approve, cancel, refund, retry' });
    ctx.consoleLink({ title: 'PayPal', href: '/console/paypal', description: 'Every order in the PayPal simulator' });
    ctx.consoleLink({ title: 'Shipments', href: '/console/shipments', description: 'Every shipment in the carrier simulator' });
    ctx.consoleLink({ title: 'API docs', href: '/api/v1/docs', description: 'The API with try-it (Swagger UI)' });
    // Emails link to the console's order page, where the order can be cancelled.
    setDefault('STOREFRONT_ORDER_URL', `${baseUrl}/console/orders/{orderId}`);
    ctx.log.info(`Simulators: PayPal ${baseUrl}/sim/paypal, DHL ${baseUrl}/sim/dhl/mydhlapi; inspect ${baseUrl}/dev/paypal/orders?reference=…, ${baseUrl}/dev/shipments?reference=…`);

    const acs = ctx.acsEmail({ senderDomains: [local.senderDomain] });
    setDefault('ACS_EMAIL_CONNECTION_STRING', acs.connectionString);
    setDefault('EMAIL_SENDER_ADDRESS', `DoNotReply@${local.senderDomain}`);
    // Dispute alerts land in the local mailbox like the customers' emails.
    setDefault('MERCHANT_ALERT_EMAIL', `merchant@${local.senderDomain}`);

    if (!process.env.INVOICES_STORAGE_CONNECTION && !process.env.INVOICES_STORAGE_ACCOUNT_URL) {
      setDefault('INVOICES_STORAGE_CONNECTION', (await ctx.storage()).connectionString);
    }
    if (!process.env.COSMOS_ENDPOINT) {
      // The containers Bicep deploys, from the same file: same keys, TTL and indexes.
      const cosmos = await ctx.cosmos({ layoutFile: 'bicep/cosmos-containers.json' });
      setDefault('COSMOS_ENDPOINT', cosmos.endpoint);
      setDefault('COSMOS_KEY', cosmos.key);
    }
  },
};

export default config;

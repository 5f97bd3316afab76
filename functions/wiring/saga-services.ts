// The saga's adapters, built once per process from the settings.
import { containerNames, createCosmosClient } from '../../adapters/cosmos/cosmos-client';
import { CosmosInvoiceStore } from '../../adapters/cosmos/cosmos-invoice-store';
import { BlobDocumentStore } from '../../adapters/invoice/blob-document-store';
import { ServiceBusStagePublisher } from '../../adapters/servicebus/stage-event-publisher';
import { ObservedStagePublisher } from '../../adapters/telemetry/order-telemetry';
import { PayPalGateway } from '../../adapters/paypal/paypal-gateway';
import { DhlCarrierGateway } from '../../adapters/carrier/dhl-carrier-gateway';
import { AcsEmailSender } from '../../adapters/email/acs-email-sender';
import { seller } from '../../adapters/catalog/store-config';
import type { CarrierGateway, DocumentStore, EmailSender, InvoiceStore, PaymentGateway, StageEventPublisher } from '../../application/ports';
import type { Party } from '../../domain/invoice';
import { settings } from './settings';

interface SagaServices {
  invoices: InvoiceStore;
  documents: DocumentStore;
  publisher: StageEventPublisher;
  payments: PaymentGateway;
  carrier: CarrierGateway;
  email: EmailSender;
  seller: Party;
  publicBaseUrl: string;
}

let services: SagaServices | undefined;

export function getSagaServices(): SagaServices {
  if (services) return services;
  const s = settings();
  const cosmos = createCosmosClient({ endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE }).database(s.COSMOS_DATABASE);
  const bus = s.ServiceBusConnection ?? s.ServiceBusConnection__fullyQualifiedNamespace;
  if (!bus) throw new Error('Invalid app settings: ServiceBusConnection or ServiceBusConnection__fullyQualifiedNamespace is required');
  if (!s.INVOICES_STORAGE_CONNECTION && !s.INVOICES_STORAGE_ACCOUNT_URL) throw new Error('Invalid app settings: INVOICES_STORAGE_CONNECTION or INVOICES_STORAGE_ACCOUNT_URL is required');
  if (!s.ACS_EMAIL_CONNECTION_STRING && !s.ACS_EMAIL_ENDPOINT) throw new Error('Invalid app settings: ACS_EMAIL_CONNECTION_STRING or ACS_EMAIL_ENDPOINT is required');
  services = {
    invoices: new CosmosInvoiceStore(cosmos.container(containerNames.invoices)),
    documents: new BlobDocumentStore({ connectionString: s.INVOICES_STORAGE_CONNECTION, accountUrl: s.INVOICES_STORAGE_ACCOUNT_URL, container: 'invoices' }),
    publisher: new ObservedStagePublisher(new ServiceBusStagePublisher(bus)),
    payments: new PayPalGateway({ clientId: s.PAYPAL_CLIENT_ID, clientSecret: s.PAYPAL_CLIENT_SECRET, environment: s.PAYPAL_ENVIRONMENT, baseUrlOverride: s.PAYPAL_API_BASE_URL, timeoutMs: 30_000 }),
    carrier: new DhlCarrierGateway({
      baseUrl: s.CARRIER_API_BASE_URL,
      apiKey: s.CARRIER_API_KEY,
      apiSecret: s.CARRIER_API_SECRET,
      accountNumber: s.CARRIER_ACCOUNT_NUMBER,
      shipper: { name: seller.name, ...seller.address, email: seller.email },
      timeoutMs: 15_000,
      trackingUrlTemplate: s.CARRIER_TRACKING_URL,
    }),
    email: new AcsEmailSender({ connectionString: s.ACS_EMAIL_CONNECTION_STRING, endpoint: s.ACS_EMAIL_ENDPOINT, senderAddress: s.EMAIL_SENDER_ADDRESS, pollIntervalMs: 250 }),
    seller: { name: seller.name, lines: seller.lines, vatId: seller.vatId, email: seller.email },
    publicBaseUrl: s.PUBLIC_BASE_URL.replace(/\/+$/, ''),
  };
  return services;
}

// The dispute handling's adapters, built once per process from the settings.
import { containerNames, createCosmosClient } from '../../adapters/cosmos/cosmos-client';
import { CosmosDisputeStore } from '../../adapters/cosmos/cosmos-dispute-store';
import { PayPalDisputesClient } from '../../adapters/paypal/paypal-disputes-client';
import { renderEvidencePack } from '../../adapters/disputes/evidence-pack-pdf';
import { seller } from '../../adapters/catalog/store-config';
import type { DisputeGateway } from '../../application/dispute-ports';
import type { DisputeStore } from '../../application/ports';
import type { EvidencePackInput } from '../../domain/evidence-pack';
import { getSagaServices } from './saga-services';
import { getServices } from './services';
import { settings } from './settings';

interface DisputeServices {
  disputes: DisputeStore;
  gateway: DisputeGateway;
  render: (input: EvidencePackInput) => Promise<{ pdf: Uint8Array; sha256: string; pages: number }>;
  merchant: { address: string; name: string };
  generator: string;
}

let services: DisputeServices | undefined;

export function getDisputeServices(): DisputeServices {
  if (services) return services;
  const s = settings();
  const db = createCosmosClient({ endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE }).database(s.COSMOS_DATABASE);
  services = {
    disputes: new CosmosDisputeStore(db.container(containerNames.disputes)),
    gateway: new PayPalDisputesClient({ clientId: s.PAYPAL_CLIENT_ID, clientSecret: s.PAYPAL_CLIENT_SECRET, environment: s.PAYPAL_ENVIRONMENT, baseUrlOverride: s.PAYPAL_API_BASE_URL, timeoutMs: 30_000 }),
    render: renderEvidencePack,
    merchant: { address: s.MERCHANT_ALERT_EMAIL ?? seller.email, name: seller.name },
    generator: 'order-backend evidence pack 1',
  };
  return services;
}

/** What the dispute use cases take, from the adapters this process built: the activities' and the admin API's. */
export function disputeUseCaseDeps() {
  const d = getDisputeServices();
  const saga = getSagaServices();
  const core = getServices();
  return { disputes: d.disputes, gateway: d.gateway, orders: core.orders, ledger: core.ledger, invoices: saga.invoices, documents: saga.documents, payments: saga.payments, render: d.render, generator: d.generator };
}

// The composition root: builds each adapter once per process, on first use, from the settings.
import type { Container } from '@azure/cosmos';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { containerNames, createCosmosClient } from '../../adapters/cosmos/cosmos-client';
import { CosmosEvidenceLedger } from '../../adapters/cosmos/cosmos-evidence-ledger';
import { CosmosIdempotencyStore } from '../../adapters/cosmos/cosmos-idempotency-store';
import { RecentOrderVersions } from '../../adapters/cache/recent-order-versions';
import { CosmosOrderStore } from '../../adapters/cosmos/cosmos-order-store';
import { createTokenVerifier } from '../../adapters/auth/token-verifier';
import type { Verification } from '../../adapters/auth/token-verifier';
import type { IdempotencyStore, OrderStore, EvidenceLedger } from '../../application/ports';
import { RateLimiter } from '../http/rate-limit';
import { cachedVerifier } from '../http/verified-tokens';
import { settings } from './settings';

interface Services {
  orders: OrderStore;
  idempotency: IdempotencyStore;
  ledger: EvidenceLedger;
  verifyToken: (token: string) => Promise<Verification>;
  rateLimiter: RateLimiter;
  /** Per client address, for the endpoints without a token; webhooks get five times the rate (a provider's bursts). */
  publicRateLimiters: { api: RateLimiter; webhook: RateLimiter };
  catalog: typeof catalog;
  pricingRules: typeof pricingRules;
}

let services: Services | undefined;

export function getServices(): Services {
  if (services) return services;
  const s = settings();
  const db = createCosmosClient({ endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY, database: s.COSMOS_DATABASE }).database(s.COSMOS_DATABASE);
  const container = (name: string): Container => db.container(name);
  services = {
    // The saga's writes start from the version this instance last saw (adapters/cache).
    orders: new RecentOrderVersions(new CosmosOrderStore(container(containerNames.orders))),
    idempotency: new CosmosIdempotencyStore(container(containerNames.idempotency), { retentionSeconds: s.IDEMPOTENCY_RETENTION_SECONDS, leaseMs: 30_000 }),
    ledger: new CosmosEvidenceLedger(container(containerNames.ledger)),
    // A verified token is remembered until it expires (at most a minute): clients repeat it.
    verifyToken: cachedVerifier(createTokenVerifier({
      issuer: s.AUTH_ISSUER,
      audience: s.AUTH_AUDIENCE,
      jwksUri: s.AUTH_JWKS_URI,
      adminRole: s.AUTH_ADMIN_ROLE,
      customerIdClaim: s.AUTH_CUSTOMER_ID_CLAIM,
      emailClaims: s.AUTH_EMAIL_CLAIMS.split(',').map((c) => c.trim()).filter(Boolean),
    })),
    rateLimiter: new RateLimiter(s.API_RATE_LIMIT_PER_SECOND, s.API_RATE_LIMIT_PER_SECOND * 2),
    publicRateLimiters: {
      api: new RateLimiter(s.PUBLIC_RATE_LIMIT_PER_SECOND, s.PUBLIC_RATE_LIMIT_PER_SECOND * 2),
      webhook: new RateLimiter(s.PUBLIC_RATE_LIMIT_PER_SECOND * 5, s.PUBLIC_RATE_LIMIT_PER_SECOND * 10),
    },
    catalog,
    pricingRules,
  };
  return services;
}

// The local stand-ins for the Azure services the product app uses beyond the Functions host:
// Cosmos DB (durable emulator, provisioned from the same JSON as Bicep) and an Entra-like token
// issuer. Each fills its app settings only where the developer has not set them, so
// local.settings.json can still point at real Azure resources.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { ContainerDefinition, IndexingPolicy } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulator } from './cosmos';
import type { RunningCosmosEmulator } from './cosmos';
import { jwks, jwksPath, loadOrCreateIssuerKey, localAudience, localIssuer } from './identity/local-issuer';
import type { Logger } from './host/logger';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { startAzurite } from './blob/azurite';
import type { RunningAzurite } from './blob/azurite';
import { PayPalSimulator } from './simulators/paypal';
import { CarrierSimulator } from './simulators/carrier/carrier-simulator';
import { AcsEmailSimulator } from './simulators/email/acs-email-simulator';
import { mailboxListingProblem } from './simulators/email/dev-views';
import { LocalTelemetry } from './telemetry/local-telemetry';
import { IngestionEndpoint } from './telemetry/ingestion-endpoint';
import { createLocalCertificate, trustInThisProcess } from './tls/local-tls';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface DevServicesOptions {
  appRoot: string;
  dataDir: string;
  host: string;
  /** Port of the local Cosmos DB endpoint; 0 picks a free one. */
  cosmosPort: number;
  /** Port of Azurite's Blob service; 0 picks a free one. */
  blobPort: number;
  /** Whether the app's own telemetry goes to the local ingestion endpoint. */
  appTelemetry: boolean;
  logger: Logger;
}

interface CosmosLayout {
  database: string;
  containers: { name: string; partitionKey: string; defaultTtl?: number; indexingPolicy?: IndexingPolicy }[];
}

const openIdPath = '/local-issuer/.well-known/openid-configuration';

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

interface Simulator {
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  close(): void | Promise<void>;
}

export class DevServices {
  cosmos?: RunningCosmosEmulator;
  azurite?: RunningAzurite;
  private simulators: Simulator[] = [];
  private simulatorDb?: Database.Database;
  private baseUrl = '';
  /** The host's requests and the app's own telemetry, as Application Insights would hold them. */
  readonly telemetry: LocalTelemetry;
  private readonly ingestion: IngestionEndpoint;
  private ingestionServer?: https.Server;

  constructor(private readonly o: DevServicesOptions) {
    this.telemetry = new LocalTelemetry(o.logger);
    this.ingestion = new IngestionEndpoint(this.telemetry, '00000000-0000-4000-8000-00000000a11c');
  }

  /** Starts what the app needs; call after the host listens (issuer URLs use its address). */
  async start(baseUrl: string): Promise<void> {
    this.baseUrl = baseUrl;
    await loadOrCreateIssuerKey(this.o.dataDir);
    setDefault('AUTH_ISSUER', localIssuer);
    setDefault('AUTH_AUDIENCE', localAudience);
    setDefault('AUTH_JWKS_URI', `${baseUrl}${jwksPath}`);

    setDefault('PUBLIC_BASE_URL', baseUrl);
    await this.useLocalTelemetry();

    const layoutFile = path.join(this.o.appRoot, 'bicep', 'cosmos-containers.json');
    // Only the product app (which has the Cosmos layout) gets the product's stand-ins.
    if (!fs.existsSync(layoutFile)) return;
    // The product's host setting (local.settings.sample.json, Bicep): bodies above its largest
    // accepted one, a 256 KiB webhook, are refused before they are buffered.
    setDefault('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', '262144');
    await this.startSimulators(baseUrl);
    if (!process.env.INVOICES_STORAGE_CONNECTION && !process.env.INVOICES_STORAGE_ACCOUNT_URL) {
      this.azurite = await startAzurite({ location: path.join(this.o.dataDir, 'azurite'), host: '127.0.0.1', port: this.o.blobPort });
      setDefault('INVOICES_STORAGE_CONNECTION', this.azurite.connectionString);
      this.o.logger.info(`Azurite Blob Storage on ${this.azurite.blobEndpoint}`);
    }
    if (process.env.COSMOS_ENDPOINT) return;
    this.cosmos = await startCosmosEmulator({ dbFile: path.join(this.o.dataDir, 'cosmos.db'), host: this.o.host, port: this.o.cosmosPort });
    await provision(this.cosmos, JSON.parse(fs.readFileSync(layoutFile, 'utf8')) as CosmosLayout);
    setDefault('COSMOS_ENDPOINT', this.cosmos.endpoint);
    setDefault('COSMOS_KEY', this.cosmos.key);
    const stats = this.cosmos.stats();
    this.o.logger.info(`Cosmos DB emulator on ${this.cosmos.endpoint}: ${stats.containers} containers, ${stats.documents} documents`);
  }

  /**
   * Points the app's Application Insights SDK at the local ingestion endpoint, exporting within a
   * second (Azure batches for 5 s, metrics every 60 s) and without Microsoft's own SDK statistics.
   * The exporter only speaks HTTPS, so the endpoint gets its own loopback HTTPS server.
   */
  private async useLocalTelemetry(): Promise<void> {
    if (!this.o.appTelemetry || process.env.APPLICATIONINSIGHTS_CONNECTION_STRING) return;
    const { key, cert } = createLocalCertificate();
    trustInThisProcess(cert);
    const server = https.createServer({ key, cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      this.ingestion.handle(req, res, url).then(
        (handled) => { if (!handled) res.writeHead(404).end(); },
        () => { if (!res.headersSent) res.writeHead(500).end(); },
      );
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    this.ingestionServer = server;
    setDefault('APPLICATIONINSIGHTS_CONNECTION_STRING', this.ingestion.connectionString(`https://127.0.0.1:${(server.address() as AddressInfo).port}`));
    setDefault('APPLICATIONINSIGHTS_STATSBEAT_DISABLED', 'true');
    setDefault('APPLICATION_INSIGHTS_NO_STATSBEAT', 'true');
    setDefault('OTEL_BSP_SCHEDULE_DELAY', '500');
    setDefault('OTEL_BLRP_SCHEDULE_DELAY', '500');
    setDefault('OTEL_METRIC_EXPORT_INTERVAL', '5000');
    setDefault('OTEL_SERVICE_NAME', 'order-backend');
  }

  /** PayPal, carrier and ACS Email simulators, mounted on the host under /sim/ and /dev/. */
  private async startSimulators(baseUrl: string): Promise<void> {
    this.simulatorDb = new Database(path.join(this.o.dataDir, 'simulators.db'));
    this.simulatorDb.pragma('journal_mode = WAL');
    this.simulatorDb.pragma('synchronous = NORMAL');
    const db = this.simulatorDb;
    const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
    setDefault('PAYPAL_CLIENT_ID', local.paypalClientId);
    setDefault('PAYPAL_CLIENT_SECRET', local.paypalClientSecret);
    setDefault('PAYPAL_API_BASE_URL', `${baseUrl}/sim/paypal`);
    setDefault('PAYPAL_WEBHOOK_ID', local.paypalWebhookId);
    setDefault('PAYPAL_CERT_ORIGINS', baseUrl);
    setDefault('CARRIER_API_BASE_URL', `${baseUrl}/sim/dhl/mydhlapi`);
    setDefault('CARRIER_API_KEY', local.carrierKey);
    setDefault('CARRIER_API_SECRET', local.carrierSecret);
    setDefault('CARRIER_ACCOUNT_NUMBER', local.carrierAccount);
    setDefault('CARRIER_WEBHOOK_SECRET', this.secret('carrier-webhook-secret'));
    const acsKey = this.secret('acs-access-key');
    setDefault('ACS_EMAIL_CONNECTION_STRING', `endpoint=${baseUrl}/;accesskey=${acsKey}`);
    setDefault('EMAIL_SENDER_ADDRESS', `DoNotReply@${local.senderDomain}`);
    this.simulators = [
      new PayPalSimulator({
        db,
        publicBaseUrl: baseUrl,
        webhookUrl: `${baseUrl}/api/v1/webhooks/paypal`,
        webhookId: process.env.PAYPAL_WEBHOOK_ID!,
        clientId: process.env.PAYPAL_CLIENT_ID!,
        clientSecret: process.env.PAYPAL_CLIENT_SECRET!,
        pendingCaptureMs: env('SIM_PAYPAL_PENDING_MS', 3_000),
        honorSeconds: env('SIM_PAYPAL_HONOR_SECONDS', 259_200),
        authorizationValidSeconds: env('SIM_PAYPAL_AUTHORIZATION_VALID_SECONDS', 2_505_600),
      }),
      new CarrierSimulator({
        db,
        publicBaseUrl: baseUrl,
        apiKey: process.env.CARRIER_API_KEY!,
        apiSecret: process.env.CARRIER_API_SECRET!,
        webhookUrl: `${baseUrl}/api/v1/webhooks/carrier`,
        webhookSecret: process.env.CARRIER_WEBHOOK_SECRET!,
        transitAfterMs: env('SIM_CARRIER_TRANSIT_MS', 5_000),
        deliveredAfterMs: env('SIM_CARRIER_DELIVERED_MS', 20_000),
      }),
      new AcsEmailSimulator({ db, accessKey: acsKey, senderDomains: [local.senderDomain] }),
    ];
    this.o.logger.info(`Simulators: PayPal ${baseUrl}/sim/paypal, DHL ${baseUrl}/sim/dhl/mydhlapi, ACS Email ${baseUrl}/emails:send; inspect ${baseUrl}/dev/emails?to=…, ${baseUrl}/dev/paypal/orders?reference=…, ${baseUrl}/dev/shipments?reference=…`);
  }

  /** A random secret kept in the data directory, so restarts keep verifying old signatures. */
  private secret(name: string): string {
    const file = path.join(this.o.dataDir, 'secrets.json');
    const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>) : {};
    if (!all[name]) {
      all[name] = randomBytes(32).toString('base64');
      fs.writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
    }
    return all[name];
  }

  /** Serves the simulators, the issuer's discovery document and keys; true when it answered. */
  async handle(url: URL, res: http.ServerResponse, req?: http.IncomingMessage): Promise<boolean> {
    if (req && (await this.ingestion.handle(req, res, url))) return true;
    const listing = this.simulators.length > 0 && req?.method === 'GET' ? mailboxListingProblem(url) : undefined;
    if (listing) {
      res.writeHead(listing.status, { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify({ type: 'about:blank', ...listing }));
      return true;
    }
    if (req) for (const s of this.simulators) if (await s.handle(req, res, url)) return true;
    if (url.pathname === jwksPath) {
      send(res, await jwks(this.o.dataDir));
      return true;
    }
    if (url.pathname === '/dev/cosmos/requests' && this.cosmos) {
      send(res, this.cosmos.requests(), 'no-store');
      return true;
    }
    if (url.pathname === openIdPath) {
      send(res, { issuer: localIssuer, jwks_uri: `${this.baseUrl}${jwksPath}`, id_token_signing_alg_values_supported: ['ES256'], subject_types_supported: ['public'] });
      return true;
    }
    return false;
  }

  async stop(): Promise<void> {
    if (this.ingestionServer) {
      const closed = new Promise<void>((resolve) => this.ingestionServer!.close(() => resolve()));
      this.ingestionServer.closeAllConnections();
      await closed;
    }
    for (const s of this.simulators) await s.close();
    this.o.logger.debug('stop: simulators closed');
    this.simulatorDb?.close();
    await this.azurite?.stop();
    this.o.logger.debug('stop: azurite stopped');
    await this.cosmos?.close();
  }
}

/** What Bicep deploys in Azure, created in the emulator: same database, keys, TTL and indexes. */
async function provision(emulator: RunningCosmosEmulator, layout: CosmosLayout): Promise<void> {
  const client = new CosmosClient(emulatorClientOptions(emulator));
  try {
    const { database } = await client.databases.createIfNotExists({ id: layout.database });
    for (const c of layout.containers) {
      const def: ContainerDefinition = { id: c.name, partitionKey: { paths: [c.partitionKey] }, indexingPolicy: c.indexingPolicy };
      if (c.defaultTtl !== undefined) def.defaultTtl = c.defaultTtl;
      await database.containers.createIfNotExists(def);
    }
  } finally {
    await client.dispose();
  }
}

function setDefault(name: string, value: string): void {
  if (!process.env[name]) process.env[name] = value;
}

function send(res: http.ServerResponse, body: unknown, cache = 'max-age=300'): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cache }).end(JSON.stringify(body));
}

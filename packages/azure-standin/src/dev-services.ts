// The local services beside the Functions host: an Entra-like token issuer, the app's telemetry
// ingestion, and, on first use, the Cosmos DB emulator, Azurite and the ACS Email emulator; plus
// the services an app mounts through its stand-in config (app-config.ts). Each fills app settings
// only where the developer has not set them, so local.settings.json can still point at Azure.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { ContainerDefinition, IndexingPolicy } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulatorThread } from './cosmos';
import type { RunningCosmosEmulator } from './cosmos';
import { jwks, jwksPath, loadOrCreateIssuerKey, localAudience, localIssuer } from './identity/local-issuer';
import type { Logger } from './core/logger';
import type { Database } from './core/sqlite';
import { randomBytes } from 'node:crypto';
import { startAzurite } from './blob/azurite';
import type { RunningAzurite } from './blob/azurite';
import { openStateDatabase } from './core/state-database';
import { AcsEmailSimulator } from './acs-email/acs-email-simulator';
import { LocalTelemetry } from './telemetry/local-telemetry';
import { IngestionEndpoint } from './telemetry/ingestion-endpoint';
import { createLocalCertificate, trustInThisProcess } from './tls/local-tls';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { listenError } from './core/port-in-use';
import type { ConsoleLink, LocalService, StandinConfig, StandinContext } from './app-config';

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
  config: StandinConfig;
}

interface CosmosLayout {
  database: string;
  containers: { name: string; partitionKey: string; defaultTtl?: number; indexingPolicy?: IndexingPolicy }[];
}

const openIdPath = '/local-issuer/.well-known/openid-configuration';

export class DevServices {
  cosmos?: RunningCosmosEmulator;
  azurite?: RunningAzurite;
  private services: LocalService[] = [];
  /** Links the app added to the local console (ctx.consoleLink). */
  readonly consoleLinks: ConsoleLink[] = [];
  private readonly databases = new Map<string, Database>();
  private baseUrl = '';
  private cosmosStart?: Promise<RunningCosmosEmulator>;
  private azuriteStart?: Promise<RunningAzurite>;
  private acs?: { connectionString: string; endpoint: string };
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
    for (const [name, value] of Object.entries(this.o.config.settings ?? {})) setDefault(name, value);
    await this.useLocalTelemetry();
    await this.o.config.setup?.(this.context());
  }

  /** What the app's setup hook sees of the stand-in. */
  private context(): StandinContext {
    const log = this.o.logger;
    return {
      appRoot: this.o.appRoot,
      dataDir: this.o.dataDir,
      baseUrl: this.baseUrl,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), debug: (m) => log.debug(m) },
      setDefault,
      secret: (name) => this.secret(name),
      sqlite: (file) => this.sqlite(file),
      issuer: { issuer: localIssuer, audience: localAudience, jwksUri: `${this.baseUrl}${jwksPath}`, openIdConfiguration: `${this.baseUrl}${openIdPath}` },
      cosmos: async (options) => {
        const emulator = await this.startCosmos();
        if (options?.layoutFile) await provision(emulator, JSON.parse(fs.readFileSync(path.resolve(this.o.appRoot, options.layoutFile), 'utf8')) as CosmosLayout);
        return { endpoint: emulator.endpoint, key: emulator.key };
      },
      storage: async () => {
        const azurite = await this.startAzurite();
        return { connectionString: azurite.connectionString, blobEndpoint: azurite.blobEndpoint };
      },
      acsEmail: (options) => this.startAcsEmail(options.senderDomains),
      mount: (service) => {
        this.services.push(service);
        log.info(`Local service: ${service.name}`);
      },
      consoleLink: (link) => {
        if (typeof link?.title !== 'string' || link.title === '' || typeof link.href !== 'string' || link.href === '') throw new Error('consoleLink needs { title, href }');
        // Only this host's own pages or http(s) URLs: the console renders these as links.
        if (!/^(\/|https?:\/\/)/i.test(link.href)) throw new Error(`consoleLink href must start with "/" or http(s)://, got "${link.href}"`);
        this.consoleLinks.push({ title: link.title, href: link.href, description: link.description });
      },
    };
  }

  private startCosmos(): Promise<RunningCosmosEmulator> {
    // In a worker thread: its HTTP, query and SQLite work runs on another core than the app's.
    this.cosmosStart ??= startCosmosEmulatorThread({
      dbFile: path.join(this.o.dataDir, 'cosmos.db'),
      host: this.o.host,
      port: this.o.cosmosPort,
      // The app's data is gone from under it: stop loudly rather than answer with errors. What
      // the emulator acknowledged is committed, as after a crash.
      onUnexpectedExit: (err) => {
        console.error(`${err.message}; exiting`);
        process.exit(1);
      },
    }).catch((err: unknown) => {
      throw listenError(err, this.o.cosmosPort, '--cosmos-port');
    }).then(async (emulator) => {
      this.cosmos = emulator;
      const stats = await emulator.stats();
      this.o.logger.info(`Cosmos DB emulator on ${emulator.endpoint} (worker thread): ${stats.containers} containers, ${stats.documents} documents`);
      return emulator;
    });
    return this.cosmosStart;
  }

  /** Azurite's Blob service, started on first use (by the app's config or by blob bindings). */
  storage(): Promise<RunningAzurite> {
    return this.startAzurite();
  }

  private startAzurite(): Promise<RunningAzurite> {
    this.azuriteStart ??= startAzurite({ location: path.join(this.o.dataDir, 'azurite'), host: '127.0.0.1', port: this.o.blobPort }).catch((err: unknown) => {
      throw listenError(err, this.o.blobPort, '--blob-port');
    }).then((azurite) => {
      this.azurite = azurite;
      this.o.logger.info(`Azurite Blob Storage on ${azurite.blobEndpoint}`);
      return azurite;
    });
    return this.azuriteStart;
  }

  /** ACS Email answers at the host's root, as the service does: the SDK refuses an endpoint with a path. */
  private startAcsEmail(senderDomains: string[]): { connectionString: string; endpoint: string } {
    if (!this.acs) {
      const accessKey = this.secret('acs-access-key');
      this.services.push(new AcsEmailSimulator({ db: this.sqlite('acs-email.db'), accessKey, senderDomains }));
      this.acs = { connectionString: `endpoint=${this.baseUrl}/;accesskey=${accessKey}`, endpoint: `${this.baseUrl}/` };
      this.o.logger.info(`ACS Email emulator on ${this.baseUrl}/emails:send; sent mail at ${this.baseUrl}/dev/emails?to=…`);
    }
    return this.acs;
  }

  /** A SQLite database in the data directory, opened once per name. */
  private sqlite(file: string): Database {
    let db = this.databases.get(file);
    if (!db) {
      db = openStateDatabase(this.o.dataDir, file);
      this.databases.set(file, db);
    }
    return db;
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

  /** What runs beside the host, for the console's home page: name and where it answers. */
  describe(): { name: string; where: string }[] {
    const out: { name: string; where: string }[] = [{ name: 'Token issuer (Entra ID stand-in)', where: `${this.baseUrl}${jwksPath}` }];
    if (this.ingestionServer) out.push({ name: 'Application Insights ingestion', where: `${this.baseUrl}/dev/telemetry` });
    if (this.cosmos) out.push({ name: 'Cosmos DB emulator', where: this.cosmos.endpoint });
    if (this.azurite) out.push({ name: 'Azurite Blob Storage', where: this.azurite.blobEndpoint });
    for (const s of this.services) out.push({ name: s.name, where: s instanceof AcsEmailSimulator ? `${this.baseUrl}/emails:send` : 'mounted under /sim/ or /dev/' });
    return out;
  }

  /** Serves the mounted services, the issuer's discovery document and keys; true when it answered. */
  async handle(url: URL, res: http.ServerResponse, req?: http.IncomingMessage): Promise<boolean> {
    if (req && (await this.ingestion.handle(req, res, url))) return true;
    if (req) for (const s of this.services) if (await s.handle(req, res, url)) return true;
    if (url.pathname === jwksPath) {
      send(res, await jwks(this.o.dataDir));
      return true;
    }
    if (url.pathname === '/dev/cosmos/requests' && this.cosmos) {
      send(res, await this.cosmos.requests(), 'no-store');
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
    for (const s of this.services) await s.close?.();
    this.o.logger.debug('stop: local services closed');
    for (const db of this.databases.values()) db.close();
    await (await this.azuriteStart?.catch(() => undefined))?.stop();
    this.o.logger.debug('stop: azurite stopped');
    await (await this.cosmosStart?.catch(() => undefined))?.close();
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

// The local stand-ins for the Azure services the product app uses beyond the Functions host:
// Cosmos DB (durable emulator, provisioned from the same JSON as Bicep) and an Entra-like token
// issuer. Each fills its app settings only where the developer has not set them, so
// local.settings.json can still point at real Azure resources.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { ContainerDefinition, IndexingPolicy } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulator } from './cosmos-emulator';
import type { RunningCosmosEmulator } from './cosmos-emulator';
import { jwks, jwksPath, loadOrCreateIssuerKey, localAudience, localIssuer } from './identity/local-issuer';
import type { Logger } from './host/logger';

export interface DevServicesOptions {
  appRoot: string;
  dataDir: string;
  host: string;
  /** Port of the local Cosmos DB endpoint; 0 picks a free one. */
  cosmosPort: number;
  logger: Logger;
}

interface CosmosLayout {
  database: string;
  containers: { name: string; partitionKey: string; defaultTtl?: number; indexingPolicy?: IndexingPolicy }[];
}

const openIdPath = '/local-issuer/.well-known/openid-configuration';

export class DevServices {
  cosmos?: RunningCosmosEmulator;
  private baseUrl = '';

  constructor(private readonly o: DevServicesOptions) {}

  /** Starts what the app needs; call after the host listens (issuer URLs use its address). */
  async start(baseUrl: string): Promise<void> {
    this.baseUrl = baseUrl;
    await loadOrCreateIssuerKey(this.o.dataDir);
    setDefault('AUTH_ISSUER', localIssuer);
    setDefault('AUTH_AUDIENCE', localAudience);
    setDefault('AUTH_JWKS_URI', `${baseUrl}${jwksPath}`);

    const layoutFile = path.join(this.o.appRoot, 'bicep', 'cosmos-containers.json');
    if (!fs.existsSync(layoutFile) || process.env.COSMOS_ENDPOINT) return;
    this.cosmos = await startCosmosEmulator({ dbFile: path.join(this.o.dataDir, 'cosmos.db'), host: this.o.host, port: this.o.cosmosPort });
    await provision(this.cosmos, JSON.parse(fs.readFileSync(layoutFile, 'utf8')) as CosmosLayout);
    setDefault('COSMOS_ENDPOINT', this.cosmos.endpoint);
    setDefault('COSMOS_KEY', this.cosmos.key);
    const stats = this.cosmos.stats();
    this.o.logger.info(`Cosmos DB emulator on ${this.cosmos.endpoint}: ${stats.containers} containers, ${stats.documents} documents`);
  }

  /** Serves the issuer's discovery document and keys; true when it answered. */
  async handle(url: URL, res: http.ServerResponse): Promise<boolean> {
    if (url.pathname === jwksPath) {
      send(res, await jwks(this.o.dataDir));
      return true;
    }
    if (url.pathname === openIdPath) {
      send(res, { issuer: localIssuer, jwks_uri: `${this.baseUrl}${jwksPath}`, id_token_signing_alg_values_supported: ['ES256'], subject_types_supported: ['public'] });
      return true;
    }
    return false;
  }

  async stop(): Promise<void> {
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

function send(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(JSON.stringify(body));
}

// What an app tells the stand-in beyond host.json: app settings for local runs, the Service Bus
// entities to create, and a setup hook that points the app's own settings at the local services
// and mounts the app's own simulators. Named in the app's package.json:
//   "azureStandin": { "config": "dist/local/standin.js" }
// The module exports a StandinConfig (as `default` or as the module itself). Apps without one run
// with the built-in services only.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import type { Database } from './core/sqlite';

export interface StandinLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** A local service an app mounts on the host: it answers under /sim/ or /dev/, loopback callers only. */
export interface LocalService {
  /** For logs: what it stands in for, e.g. "PayPal REST API". */
  name: string;
  /** Answers a request it owns (true), or leaves it to the next service (false). */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  /** Called once when the stand-in stops, after the HTTP server closed. */
  close?(): void | Promise<void>;
}

/** A link in the local console's navigation (/console), to a page the app serves itself. */
export interface ConsoleLink {
  /** The link text, e.g. "Payments simulator". */
  title: string;
  /** Where it goes: usually a page of a service the app mounted (under /dev/ or /sim/). */
  href: string;
  /** One line shown on the console's home page (and as the link's tooltip). */
  description?: string;
}

export interface StandinContext {
  appRoot: string;
  dataDir: string;
  /** The host's base URL, e.g. http://127.0.0.1:7071. */
  baseUrl: string;
  log: StandinLogger;
  /** Sets an app setting unless the environment or local.settings.json already did. */
  setDefault(name: string, value: string): void;
  /** A random secret kept in the data directory, the same on every start. */
  secret(name: string): string;
  /** A SQLite database in the data directory (WAL), shared by name, closed when the stand-in stops. */
  sqlite(file: string): Database;
  /** The local token issuer (tokens: `azure-standin token`). */
  issuer: { issuer: string; audience: string; jwksUri: string; openIdConfiguration: string };
  /** The local Cosmos DB emulator, started on first use; `layoutFile` (relative to the app root) lists the containers to create. */
  cosmos(options?: { layoutFile?: string }): Promise<{ endpoint: string; key: string }>;
  /** Azurite's Blob service, started on first use. */
  storage(): Promise<{ connectionString: string; blobEndpoint: string }>;
  /** The Azure Communication Services Email emulator at the host's root (`/emails:send`). */
  acsEmail(options: { senderDomains: string[] }): { connectionString: string; endpoint: string };
  /** Mounts one of the app's own local services. */
  mount(service: LocalService): void;
  /**
   * Adds a link to the local console's navigation and home page (/console), e.g. to a page of a
   * service mounted with `mount`. Such pages can share the console's look with `consolePage`.
   */
  consoleLink(link: ConsoleLink): void;
}

export interface StandinConfig {
  /** App settings used where neither the environment nor local.settings.json sets them. */
  settings?: Record<string, string>;
  /** Service Bus entities to create at start (the JSON layout Bicep deploys from), relative to the app root. */
  serviceBusEntitiesFile?: string;
  /** Runs after the host listens and before the app is loaded, so the app reads its settings as filled in here. */
  setup?(ctx: StandinContext): void | Promise<void>;
}

/** The app's stand-in configuration, or an empty one when its package.json names none. */
export function loadAppConfig(appRoot: string): StandinConfig {
  const pkgFile = path.join(appRoot, 'package.json');
  if (!fs.existsSync(pkgFile)) return {};
  const field = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { azureStandin?: { config?: unknown } }).azureStandin;
  if (field === undefined) return {};
  if (typeof field.config !== 'string') throw new Error(`${pkgFile}: "azureStandin" must be { "config": "<path of the config module>" }`);
  const file = path.resolve(appRoot, field.config);
  if (!fs.existsSync(file)) throw new Error(`${pkgFile} names the stand-in config ${field.config}, which does not exist (is the app built?)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as StandinConfig | { default: StandinConfig };
  const config = 'default' in loaded && loaded.default ? loaded.default : (loaded as StandinConfig);
  if (config.setup !== undefined && typeof config.setup !== 'function') throw new Error(`${field.config}: setup must be a function`);
  return config;
}

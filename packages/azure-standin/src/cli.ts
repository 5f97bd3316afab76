#!/usr/bin/env node
// The embedded runtime's command line: `start` runs the app locally, `status` lists orchestration
// instances from the data directory, `reset` deletes all local state.
import fs from 'node:fs';
import path from 'node:path';
import { Database } from './core/sqlite';
import { EmbeddedHost } from './embedded-host';
import { resolveLogLevel } from './core/log-options';
import { mintToken } from './identity/local-issuer';

const usage = `Usage: azure-standin <command> [options]

Commands:
  start    Start the Functions app on the embedded host (HTTP, Durable, Service Bus); prints
           the console's URL (/console), the functions and the HTTP routes, then warnings and
           errors only (--verbose for every invocation and the services' information)
  status   List orchestration instances and queued work in the data directory
  reset    Delete all local runtime state (durable history, queues, messages, orders, keys)
  token    Print a bearer token from the local issuer: --sub CUSTOMER [--role ROLE] [--email E]
           [--expires SECONDS]; the running host accepts it (see README, Authentication)

Options:
  --app-root DIR         Folder with host.json and package.json (default: .)
  --main GLOB            Entry files, overriding package.json "main"
  --port N               HTTP port (default: 7071; 0 picks a free port)
  --host ADDR            Address to listen on (default: 127.0.0.1); on any other address the
                         dev endpoints (/dev/, /sim/, /local-issuer/, /emails) still answer
                         only callers on this machine
  --servicebus-port N    AMQP port of the Service Bus emulator (default: 5672; 0 picks one)
  --cosmos-port N        Port of the Cosmos DB emulator (default: 8081; 0 picks one)
  --blob-port N          Port of Azurite's Blob service (default: 10000; 0 picks one)
  --data-dir DIR         Where state is kept (default: <app-root>/.data/runtime)
  --verbose              Print every invocation, the local services' information and the
                         app's own logs and metrics (--log-level information)
  --log-level LEVEL      trace|debug|information|warning|error|none (default: warning, plus
                         the startup summary; overrides --verbose)
  --app-telemetry on|off Export the app's traces, logs and metrics to the local ingestion
                         endpoint (default: on; /dev/telemetry shows them)
  --status STATUS        With status: only instances in this runtime status
`;

interface Args { command: string; flags: Record<string, string> }

/** Options that take no value. */
const switches = new Set(['verbose', 'help']);

function parseArgs(argv: string[]): Args {
  const [command = 'help', ...rest] = argv;
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else if (switches.has(a.slice(2))) flags[a.slice(2)] = 'true';
    else {
      const v = rest[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`option ${a} needs a value`);
      flags[a.slice(2)] = v;
      i++;
    }
  }
  return { command, flags };
}

const known = new Set(['app-root', 'main', 'port', 'host', 'servicebus-port', 'cosmos-port', 'blob-port', 'data-dir', 'log-level', 'verbose', 'help', 'app-telemetry', 'status', 'sub', 'role', 'email', 'expires']);

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
  return n;
}

async function main(): Promise<number> {
  const { command, flags } = parseArgs(process.argv.slice(2));
  for (const k of Object.keys(flags)) if (!known.has(k)) throw new Error(`unknown option --${k}\n\n${usage}`);
  if (flags.help === 'true') {
    console.log(usage);
    return 0;
  }
  const appRoot = path.resolve(flags['app-root'] ?? '.');
  const dataDir = path.resolve(flags['data-dir'] ?? path.join(appRoot, '.data', 'runtime'));
  switch (command) {
    case 'start': {
      const logLevel = resolveLogLevel({ verbose: flags.verbose === 'true', logLevel: flags['log-level'] });
      const appTelemetry = flags['app-telemetry'] ?? 'on';
      if (appTelemetry !== 'on' && appTelemetry !== 'off') throw new Error(`invalid --app-telemetry "${appTelemetry}" (on or off)`);
      const host = new EmbeddedHost({
        appRoot,
        main: flags.main,
        host: flags.host ?? '127.0.0.1',
        port: port(flags.port, 7071, '--port'),
        serviceBusPort: port(flags['servicebus-port'], 5672, '--servicebus-port'),
        cosmosPort: port(flags['cosmos-port'], 8081, '--cosmos-port'),
        blobPort: port(flags['blob-port'], 10000, '--blob-port'),
        dataDir,
        logLevel,
        appTelemetry: appTelemetry === 'on',
      });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        host.logger.info(`${signal}: stopping`);
        // Everything acknowledged is committed, so a stop that hangs may be cut short.
        setTimeout(() => {
          host.logger.warn('stop took longer than 20 s; exiting');
          process.exit(1);
        }, 20_000).unref();
        host.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      await host.start();
      // Machine-readable line for scripts and tests that start the host on port 0.
      process.stdout.write(`EMBEDDED_HOST_READY ${JSON.stringify({ url: host.baseUrl, serviceBus: host.serviceBus.connectionString, cosmos: host.dev.cosmos?.endpoint ?? null, pid: process.pid })}\n`);
      return -1;
    }
    case 'status': {
      const file = path.join(dataDir, 'runtime.db');
      if (!fs.existsSync(file)) {
        console.log(`No runtime state in ${dataDir}`);
        return 0;
      }
      const db = new Database(file, { readonly: true, fileMustExist: true });
      const filter = flags.status;
      const rows = db.prepare(`SELECT instance_id, name, status, created_at, updated_at FROM df_instances ${filter ? 'WHERE status = ?' : ''} ORDER BY created_at DESC LIMIT 200`).all(...(filter ? [filter] : [])) as { instance_id: string; name: string; status: string; created_at: string; updated_at: string }[];
      const counts = db.prepare('SELECT status, COUNT(*) AS n FROM df_instances GROUP BY status').all() as { status: string; n: number }[];
      const inbox = (db.prepare('SELECT COUNT(*) AS n FROM df_inbox').get() as { n: number }).n;
      const acts = (db.prepare('SELECT COUNT(*) AS n FROM df_activities').get() as { n: number }).n;
      console.log(`instances: ${counts.map((c) => `${c.status}=${c.n}`).join(' ') || 'none'}; queued messages: ${inbox}; queued activities: ${acts}`);
      for (const r of rows) console.log(`${r.status.padEnd(11)} ${r.name.padEnd(24)} ${r.instance_id}  created ${r.created_at}  updated ${r.updated_at}`);
      db.close();
      return 0;
    }
    case 'token': {
      const sub = flags.sub;
      if (!sub) throw new Error('token needs --sub CUSTOMER_ID');
      const expires = flags.expires === undefined ? 3600 : Number(flags.expires);
      if (!Number.isInteger(expires) || expires <= 0) throw new Error('--expires is a number of seconds');
      const roles = flags.role ? flags.role.split(',').map((r) => r.trim()).filter(Boolean) : [];
      console.log(await mintToken(dataDir, { subject: sub, roles, email: flags.email, expiresIn: expires }));
      return 0;
    }
    case 'reset':
      fs.rmSync(dataDir, { recursive: true, force: true });
      console.log(`Deleted ${dataDir}`);
      return 0;
    case 'help':
    case '--help':
      console.log(usage);
      return 0;
    default:
      throw new Error(`unknown command "${command}"\n\n${usage}`);
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);

// The app's telemetry, pointed at the local stand-in's ingestion endpoint, reaches nothing beyond
// this machine: no SDK configuration poll to settings.sdk.monitor.azure.com, no statsbeat. Against
// an Azure endpoint the SDK's own calls stay. Each case starts the real distro in a child process
// that records every outbound connection and DNS lookup, and waits past the poll's first run
// (5–15 s after start).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { isLocalIngestion, stopSdkConfigurationPoll } from '../../adapters/telemetry/local-ingestion';

const root = path.resolve(__dirname, '..', '..', '..');
const key = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';

/** Runs the app's startAzureMonitor in a child for `ms` and returns the non-loopback hosts it contacted. */
function contactedHosts(connectionString: string, ms: number): Promise<string[]> {
  const child = `
    const dns = require('node:dns');
    const net = require('node:net');
    const seen = new Set();
    const note = (h) => { if (h && !/^(localhost|127\\.|::1$|\\[::1\\])/.test(String(h))) seen.add(String(h)); };
    const lookup = dns.lookup;
    dns.lookup = function (host, ...rest) { note(host); return lookup.call(this, host, ...rest); };
    const connect = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (...args) {
      const o = args[0];
      if (o && typeof o === 'object' && !Array.isArray(o)) note(o.host);
      return connect.apply(this, args);
    };
    const { startAzureMonitor, stopAzureMonitor } = require('./dist/adapters/telemetry/azure-monitor.js');
    startAzureMonitor({ connectionString: process.env.CONNECTION_STRING });
    setTimeout(async () => {
      await stopAzureMonitor();
      process.stdout.write('CONTACTED ' + JSON.stringify([...seen]) + '\\n');
      process.exit(0);
    }, ${ms});`;
  // Only what the child needs: the test runner's environment may carry the stand-in's switches.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CONNECTION_STRING: connectionString, FUNCTIONS_WORKER_RUNTIME: 'node' };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', child], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.once('error', reject);
    p.once('exit', () => {
      const m = /CONTACTED (\[.*\])/.exec(out);
      if (m) resolve(JSON.parse(m[1]) as string[]);
      else reject(new Error(`child printed no result:\n${out}`));
    });
  });
}

test('a loopback IngestionEndpoint is local; Azure endpoints and the default are not', () => {
  expect(isLocalIngestion(`${key};IngestionEndpoint=https://127.0.0.1:7172/`)).toBe(true);
  expect(isLocalIngestion(`${key};IngestionEndpoint=http://localhost:8080`)).toBe(true);
  expect(isLocalIngestion(`${key};IngestionEndpoint=https://[::1]:443/`)).toBe(true);
  expect(isLocalIngestion(`${key};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/`)).toBe(false);
  expect(isLocalIngestion(key)).toBe(false);
  expect(isLocalIngestion(`${key};IngestionEndpoint=not a url`)).toBe(false);
});

test('the installed exporter still has the configuration poll this app stops locally', () => {
  // False would mean an SDK update moved it: the local runs would call Microsoft again.
  expect(stopSdkConfigurationPoll()).toBe(true);
});

test('locally the SDK contacts nothing beyond this machine; against Azure its configuration poll runs', async () => {
  const [local, azure] = await Promise.all([
    contactedHosts(`${key};IngestionEndpoint=https://127.0.0.1:9/`, 17_000),
    contactedHosts(`${key};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`, 17_000),
  ]);
  expect(local).toEqual([]);
  // The probe sees the poll where it belongs (offline here it fails, which the SDK tolerates).
  expect(azure).toContain('settings.sdk.monitor.azure.com');
}, 40_000);

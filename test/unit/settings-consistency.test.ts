// Settings and resource names the code uses must be provided where the app runs: a setting read
// by the code but missing from the sample would break `func start`; a container name that is
// not in the layout Bicep deploys would break Azure.
import fs from 'node:fs';
import path from 'node:path';
import { settingNames } from '../../functions/wiring/settings';
import { containerNames } from '../../adapters/cosmos/cosmos-client';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

test('every app setting the code reads is listed in local.settings.sample.json', () => {
  const sample = Object.keys(read('local.settings.sample.json').Values);
  expect(settingNames.filter((n) => !sample.includes(n))).toEqual([]);
});

// Alternatives used only in Azure, with managed identity instead of a connection string or key.
const azureOnly = ['ACS_EMAIL_ENDPOINT', 'INVOICES_STORAGE_ACCOUNT_URL', 'ServiceBusConnection__fullyQualifiedNamespace', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];
// Optional and empty unless in use: the retiring carrier webhook secret, during a rotation.
const unsetUnlessInUse = ['CARRIER_WEBHOOK_SECRET_PREVIOUS'];

// Filled by the local stand-in itself, for any app: the telemetry ingestion endpoint.
const filledByTheStandIn = ['APPLICATIONINSIGHTS_CONNECTION_STRING'];

test('every setting the sample leaves empty is filled by the local stand-in config, or is an Azure-only alternative', () => {
  const values: Record<string, string> = read('local.settings.sample.json').Values;
  const empty = Object.entries(values).filter(([, v]) => v === '').map(([k]) => k);
  const config = fs.readFileSync(path.join(root, 'local', 'standin.ts'), 'utf8');
  const filled = new Set([...config.matchAll(/setDefault\('(\w+)'/g)].map((m) => m[1]));
  expect(empty.filter((n) => !filled.has(n) && !filledByTheStandIn.includes(n) && !azureOnly.includes(n) && !unsetUnlessInUse.includes(n))).toEqual([]);
  expect(empty).toEqual(expect.arrayContaining(azureOnly));
});

test('the Cosmos containers the adapter uses are the ones the layout file provisions', () => {
  const layout = read('bicep/cosmos-containers.json') as { containers: { name: string }[] };
  expect(layout.containers.map((c) => c.name).sort()).toEqual(Object.values(containerNames).sort());
});

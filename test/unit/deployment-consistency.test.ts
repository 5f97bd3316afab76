// Bicep cannot be compiled or deployed from here, so its agreement with the code is checked
// structurally: every setting the code reads is provided in Azure (or is a local-only
// alternative), every app setting Bicep sets is read by someone, the resource layouts come from
// the same JSON files the code and the embedded runtime use, and secrets are Key Vault references.
import fs from 'node:fs';
import path from 'node:path';
import { settingNames } from '../../functions/wiring/settings';
import { orderEventsTopic } from '../../adapters/servicebus/stage-event-publisher';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const main = read('bicep/main.bicep');
const functionApp = read('bicep/modules/functionapp.bicep');

/** Keys of the `appSettings: { ... }` object literal passed to the Function App module. */
function bicepAppSettings(): Map<string, string> {
  const block = /appSettings: \{\n([\s\S]*?)\n {4}\}/.exec(main);
  if (!block) throw new Error('appSettings block not found in main.bicep');
  return new Map([...block[1].matchAll(/^\s+(\w+): (.+)$/gm)].map((m) => [m[1], m[2]]));
}

// Read by the code only on a laptop: Azure uses the managed-identity alternative instead.
const localOnly = ['COSMOS_KEY', 'PAYPAL_API_BASE_URL', 'PAYPAL_CERT_ORIGINS', 'ACS_EMAIL_CONNECTION_STRING', 'INVOICES_STORAGE_CONNECTION', 'ServiceBusConnection'];

test('every setting the code reads is set by Bicep, unless it is a local-only alternative', () => {
  const set = bicepAppSettings();
  expect(settingNames.filter((n) => !set.has(n) && !localOnly.includes(n))).toEqual([]);
  expect(localOnly.filter((n) => set.has(n))).toEqual([]);
});

test('every app setting Bicep sets is read by the code', () => {
  expect([...bicepAppSettings().keys()].filter((k) => !(settingNames as string[]).includes(k))).toEqual([]);
});

test('secrets are Key Vault references, never values', () => {
  const set = bicepAppSettings();
  for (const name of ['PAYPAL_CLIENT_SECRET', 'CARRIER_API_SECRET', 'CARRIER_WEBHOOK_SECRET']) expect(set.get(name)).toMatch(/^keyVaultReference\(names\.vault, '[\w-]+'\)$/);
  expect(functionApp).toContain('keyVaultReferenceIdentity: identityId');
});

test('host connections use the managed identity: storage and the Service Bus trigger connection', () => {
  const connections = new Set([...read('functions/customer-emails.ts').matchAll(/connection: '(\w+)'/g)].map((m) => m[1]));
  expect([...connections]).toEqual(['ServiceBusConnection']);
  expect(bicepAppSettings().has('ServiceBusConnection__fullyQualifiedNamespace')).toBe(true);
  for (const key of ['AzureWebJobsStorage__accountName', 'AzureWebJobsStorage__credential', 'ServiceBusConnection__credential', 'ServiceBusConnection__clientId', 'AZURE_CLIENT_ID']) expect(functionApp).toContain(`${key}:`);
});

test('Cosmos containers and Service Bus entities are deployed from the files the code and runtime use', () => {
  expect(main).toContain("loadJsonContent('cosmos-containers.json')");
  expect(main).toContain("loadJsonContent('servicebus-entities.json')");
  const entities = JSON.parse(read('bicep/servicebus-entities.json')) as { topics: { name: string; subscriptions: { name: string }[] }[] };
  const deployed = new Set(entities.topics.flatMap((t) => [t.name, ...t.subscriptions.map((s) => `${t.name}/${s.name}`)]));
  // Every topic and subscription a function listens on, and the topic the saga publishes to.
  const used = new Set([orderEventsTopic]);
  for (const file of fs.readdirSync(path.join(root, 'functions')).filter((f) => f.endsWith('.ts'))) {
    for (const m of read(`functions/${file}`).matchAll(/topicName: (?:'([\w-]+)'|orderEventsTopic),\s*subscriptionName: '([\w-]+)'/g)) used.add(`${m[1] ?? orderEventsTopic}/${m[2]}`);
  }
  expect([...used].filter((u) => !deployed.has(u))).toEqual([]);
  expect([...deployed].filter((d) => !used.has(d) && !used.has(d.split('/')[0]))).toEqual([]);
});

test('each environment has a parameters file covering every required parameter', () => {
  const required = [...main.matchAll(/^param (\w+) \w+$/gm)].map((m) => m[1]);
  for (const env of ['dev', 'prod']) {
    const file = read(`bicep/parameters/${env}.bicepparam`);
    expect(file).toContain("using '../main.bicep'");
    expect(required.filter((p) => !new RegExp(`^param ${p} =`, 'm').test(file))).toEqual([]);
  }
});

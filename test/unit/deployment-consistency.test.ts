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

const settingsIn = (text: string) => new Map([...text.matchAll(/^\s+(\w+): (.+)$/gm)].map((m) => [m[1], m[2]]));

/** Keys of the `appSettings: { ... }` object literal passed to the Function App module. */
function bicepAppSettings(): Map<string, string> {
  const block = /appSettings: \{\n([\s\S]*?)\n {4}\}/.exec(main);
  if (!block) throw new Error('appSettings block not found in main.bicep');
  return settingsIn(block[1]);
}

/** Those plus the module's identity settings (host connections, telemetry). */
function bicepProvidedSettings(): Map<string, string> {
  const identity = /var identitySettings = \{\n([\s\S]*?)\n\}/.exec(functionApp);
  if (!identity) throw new Error('identitySettings block not found in functionapp.bicep');
  return new Map([...bicepAppSettings(), ...settingsIn(identity[1])]);
}

// Read by the code only on a laptop: Azure uses the managed-identity alternative instead.
const localOnly = ['COSMOS_KEY', 'PAYPAL_API_BASE_URL', 'PAYPAL_CERT_ORIGINS', 'ACS_EMAIL_CONNECTION_STRING', 'INVOICES_STORAGE_CONNECTION', 'ServiceBusConnection'];

test('every setting the code reads is set by Bicep, unless it is a local-only alternative', () => {
  const set = bicepProvidedSettings();
  expect(settingNames.filter((n) => !set.has(n) && !localOnly.includes(n))).toEqual([]);
  expect(localOnly.filter((n) => set.has(n))).toEqual([]);
});

test('every app setting Bicep sets is read by the code', () => {
  expect([...bicepAppSettings().keys()].filter((k) => !(settingNames as string[]).includes(k))).toEqual([]);
});

test('secrets are Key Vault references, never values', () => {
  const set = bicepAppSettings();
  for (const name of ['PAYPAL_CLIENT_SECRET', 'CARRIER_API_SECRET', 'CARRIER_WEBHOOK_SECRET', 'CARRIER_WEBHOOK_SECRET_PREVIOUS']) expect(set.get(name)).toMatch(/^keyVaultReference\(names\.vault, '[\w-]+'\)$/);
  // The rotation overlap needs two distinct secrets.
  expect(set.get('CARRIER_WEBHOOK_SECRET_PREVIOUS')).not.toEqual(set.get('CARRIER_WEBHOOK_SECRET'));
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

// Built-in role definitions, each checked against Microsoft's list (docs/architecture.md, "Role
// assignments", has the sources). A GUID not in this map, or a comment naming another role, fails.
const verifiedRoles: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '4633458b-17de-408a-b874-0445c86b69e6': 'Key Vault Secrets User',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
  '09976791-48a7-449e-bb21-39d1a415f350': 'Communication and Email Service Owner',
  // A Cosmos DB data-plane role (sqlRoleDefinitions), not an Azure RBAC one.
  '00000000-0000-0000-0000-000000000002': 'Cosmos DB Built-in Data Contributor',
};

test('every role definition in Bicep is a verified built-in data role, named right in its comment', () => {
  const files = ['bicep/main.bicep', ...fs.readdirSync(path.join(root, 'bicep/modules')).map((f) => `bicep/modules/${f}`)];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const line of read(file).split('\n')) {
      for (const [guid] of line.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)) {
        seen.add(guid.toLowerCase());
        const role = verifiedRoles[guid.toLowerCase()];
        const comment = /\/\/\s*(.+)$/.exec(line)?.[1];
        if (!role) problems.push(`${file}: ${guid} is not a verified role`);
        else if (comment && !comment.startsWith(role)) problems.push(`${file}: ${guid} is ${role}, the comment says "${comment}"`);
        else if (role.startsWith('Cosmos') !== line.includes('sqlRoleDefinitions/')) problems.push(`${file}: ${guid} used in the wrong role system`);
      }
    }
  }
  expect(problems).toEqual([]);
  expect([...seen].sort()).toEqual(Object.keys(verifiedRoles).sort());
});

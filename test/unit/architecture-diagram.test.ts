// docs/architecture.md's system diagram is a Mermaid flowchart (GitHub renders it) checked against
// what the code and the templates declare, so it cannot drift: every function the app registers
// (HTTP, Service Bus, orchestrations, activities, entities), every Cosmos container and Service Bus
// entity from the layout files Bicep deploys, and every Azure resource type bicep/ creates.
import fs from 'node:fs';
import path from 'node:path';

interface Registration { name: string; trigger: string }
const registered: Registration[] = [];

// The Functions worker's core API, as the host would offer it: the app's entry point registers
// every function through it (the same calls Azure and the stand-in receive).
jest.mock('@azure/functions-core', () => ({
  registerFunction: (metadata: { name: string; bindings: Record<string, { type: string; direction: string }> }) => {
    const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in' && b.type.endsWith('Trigger'))?.type ?? 'unknown';
    registered.push({ name: metadata.name, trigger });
    return { dispose: () => undefined };
  },
  registerHook: () => ({ dispose: () => undefined }),
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
}), { virtual: true });

const root = path.resolve(__dirname, '..', '..', '..');
const doc = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');

/** The first Mermaid flowchart of the document: the system diagram. */
function systemDiagram(): string {
  const m = /```mermaid\n(flowchart[\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('docs/architecture.md has no Mermaid flowchart');
  return m[1];
}
const words = (text: string) => new Set(text.split(/[^A-Za-z0-9_-]+/).filter(Boolean));

beforeAll(() => {
  jest.isolateModules(() => {
    // Loaded here, once the core API above is in place, as the worker loads package.json `main`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../functions/index');
  });
});

/** What the diagram calls each Azure resource type bicep/ deploys. */
const resourceLabels: Record<string, string> = {
  'Microsoft.Web/sites': 'Function App',
  'Microsoft.Web/serverfarms': 'Flex Consumption',
  'Microsoft.ManagedIdentity/userAssignedIdentities': 'managed identity',
  'Microsoft.Authorization/roleAssignments': 'data-plane role',
  'Microsoft.OperationalInsights/workspaces': 'Log Analytics',
  'Microsoft.Insights/components': 'Application Insights',
  'Microsoft.Storage/storageAccounts': 'Azure Storage',
  'Microsoft.Storage/storageAccounts/blobServices': 'Blob container',
  'Microsoft.Storage/storageAccounts/blobServices/containers': 'Blob container',
  'Microsoft.DocumentDB/databaseAccounts': 'Cosmos DB',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases': 'database orders',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': 'Cosmos DB',
  'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments': 'data-plane role',
  'Microsoft.ServiceBus/namespaces': 'Service Bus',
  'Microsoft.ServiceBus/namespaces/topics': 'Service Bus topic',
  'Microsoft.ServiceBus/namespaces/topics/subscriptions': 'subscription',
  'Microsoft.KeyVault/vaults': 'Key Vault',
  'Microsoft.Communication/communicationServices': 'Communication Services',
  'Microsoft.Communication/emailServices': 'ACS Email',
  'Microsoft.Communication/emailServices/domains': 'ACS Email',
};

function bicepResourceTypes(): string[] {
  const dir = path.join(root, 'bicep');
  const files = ['main.bicep', ...fs.readdirSync(path.join(dir, 'modules')).map((f) => `modules/${f}`)];
  return [...new Set(files.flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/^resource \w+ '([^@']+)@/gm)].map((m) => m[1])))].sort();
}

test('the diagram shows every function the app registers, orchestrations, activities and entities included', () => {
  const diagram = words(systemDiagram());
  expect(registered.length).toBeGreaterThan(50);
  for (const kind of ['httpTrigger', 'serviceBusTrigger', 'orchestrationTrigger', 'activityTrigger', 'entityTrigger']) expect(registered.some((r) => r.trigger === kind)).toBe(true);
  const missing = registered.filter((r) => !diagram.has(r.name)).map((r) => `${r.name} (${r.trigger})`);
  expect(missing).toEqual([]);
});

test('the diagram shows every Cosmos container and Service Bus entity Bicep deploys', () => {
  const diagram = words(systemDiagram());
  const cosmos = JSON.parse(fs.readFileSync(path.join(root, 'bicep', 'cosmos-containers.json'), 'utf8')) as { database: string; containers: { name: string }[] };
  const bus = JSON.parse(fs.readFileSync(path.join(root, 'bicep', 'servicebus-entities.json'), 'utf8')) as { queues: { name: string }[]; topics: { name: string; subscriptions: { name: string }[] }[] };
  const names = [cosmos.database, ...cosmos.containers.map((c) => c.name), ...bus.queues.map((q) => q.name), ...bus.topics.flatMap((t) => [t.name, ...t.subscriptions.map((s) => s.name)])];
  expect(names.filter((n) => !diagram.has(n))).toEqual([]);
});

test('the diagram names every kind of Azure resource bicep/ deploys', () => {
  const text = systemDiagram() + doc.slice(doc.indexOf('## 1. System'), doc.indexOf('## 2. Design'));
  const types = bicepResourceTypes();
  expect(types.length).toBeGreaterThan(10);
  // A new resource type needs a place in the diagram and a label here.
  expect(types.filter((t) => !resourceLabels[t])).toEqual([]);
  expect(types.filter((t) => !text.includes(resourceLabels[t]))).toEqual([]);
});

test('the design document describes the system as built: no plans, no tracker references, no stale image', () => {
  expect(doc).not.toMatch(/\bplanned\b|\bTODO\b|\bissue #?\d+|(^|\s)#\d+\b/im);
  expect(fs.existsSync(path.join(root, 'docs', 'architecture.svg'))).toBe(false);
  expect(doc).not.toContain('architecture.svg');
  // The local stand-in has its own diagram beside the Azure one.
  expect(doc).toMatch(/```mermaid\nflowchart[\s\S]*azure-standin[\s\S]*commerce-simulators[\s\S]*```/);
});

import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

// The workspace is a one-way stack: the product (functions, domain, application, adapters) ships
// to Azure and imports neither local package; its local config, tests and benchmarks use the
// packages only through their public entry points; azure-standin knows nothing of the product or
// of the simulators mounted on it; commerce-simulators builds on azure-standin's public API only.
const productDirs = ['functions', 'domain', 'application', 'adapters', 'local'];
const intoProduct = productDirs.map((d) => `**/${d}/**`);
const standinKnowsNoApp = { group: [...intoProduct.map((p) => `../${p}`), '../../../**', 'commerce-simulators', 'commerce-simulators/*'], message: 'azure-standin knows nothing of the apps it runs or the services they mount.' };
const composition = ['embedded-host', 'dev-services', 'app-config', 'cli', 'index'];
const services = ['servicebus', 'telemetry', 'cosmos', 'blob', 'acs-email', 'identity', 'tls'];
const standinLayers = [
  { folder: 'core', below: [...services, 'host', 'durable', 'testing', ...composition] },
  ...services.map((folder) => ({ folder, below: ['host', 'durable', 'testing', ...composition] })),
  { folder: 'host', below: ['durable', 'testing', ...composition] },
  { folder: 'durable', below: ['testing', ...composition] },
];
const deepIntoPackages = { group: ['**/packages/**', 'azure-standin/*', '!azure-standin/testing', '!azure-standin/browser-testing', '!azure-standin/sqlite', 'commerce-simulators/*'], message: 'Use the workspace packages through their public entry points: azure-standin, azure-standin/testing, azure-standin/browser-testing, azure-standin/sqlite, commerce-simulators.' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // No import cycles in the product, type-only imports included (eslint-plugin-import-x).
    files: ['functions/**/*.ts', 'domain/**/*.ts', 'application/**/*.ts', 'adapters/**/*.ts', 'local/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['functions/**/*.ts', 'domain/**/*.ts', 'application/**/*.ts', 'adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['azure-standin', 'azure-standin/*', 'commerce-simulators', 'commerce-simulators/*', '**/packages/**', '**/local/**', '**/test/**', '**/bench/**'], message: 'Deployed code imports no local stand-in, simulator, test or bench code.' }] }],
    },
  },
  {
    files: ['local/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepIntoPackages] }] },
  },
  {
    files: ['packages/azure-standin/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [standinKnowsNoApp] }] },
  },
  // Inside azure-standin the folders are a one-way stack: core <- servicebus, telemetry, cosmos,
  // blob, acs-email, identity, tls <- host <- durable <- embedded-host, dev-services, cli.
  ...standinLayers.map(({ folder, below }) => ({
    files: [`packages/azure-standin/src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [standinKnowsNoApp, { group: below.map((f) => `../${f}`).concat(below.map((f) => `../${f}/**`)), message: `src/${folder} sits below these in the stand-in's stack and must not import them.` }] }] },
  })),
  {
    files: ['packages/commerce-simulators/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['azure-standin/*', '!azure-standin/sqlite', '../../../**', ...intoProduct.map((p) => `../${p}`)], message: 'commerce-simulators uses azure-standin\'s public API only, and nothing of the product.' }] }] },
  },
);

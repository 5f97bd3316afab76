// Startup validation: the host refuses apps the real host would refuse, with a clear message.
import fs from 'node:fs';
import path from 'node:path';
import { installedNodeModules, startHost, tempDir } from '../support/host';

function app(files: Record<string, string>): string {
  const dir = tempDir('rt-app-');
  fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0' }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'src/*.js' }));
  fs.mkdirSync(path.join(dir, 'src'));
  // Resolve the libraries from the workspace's node_modules.
  fs.symlinkSync(installedNodeModules(), path.join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'src', name), text);
  return dir;
}

test('rejects two functions that handle the same route and method', async () => {
  const dir = app({
    'a.js': `const { app } = require('@azure/functions');
      app.http('one', { route: 'things/{id}', methods: ['GET'], handler: async () => ({}) });
      app.http('two', { route: 'things/{other}', methods: ['GET', 'POST'], handler: async () => ({}) });`,
  });
  await expect(startHost({ appRoot: dir })).rejects.toThrow(/functions "one" and "two" both handle GET things\/\{id\}/);
});

test('rejects a binding type the stand-in does not emulate, naming it', async () => {
  const dir = app({
    'a.js': `const { app } = require('@azure/functions');
      app.storageQueue('work', { queueName: 'work', connection: 'AzureWebJobsStorage', handler: async () => {} });`,
  });
  await expect(startHost({ appRoot: dir })).rejects.toThrow(/binding "queueTrigger\w+" of type "queueTrigger" runs on Azure but is not emulated by the local stand-in/);
});

test('a function disabled by setting does not stop the app with a binding only Azure has', async () => {
  const dir = app({
    'a.js': `const { app } = require('@azure/functions');
      app.storageQueue('work', { queueName: 'work', connection: 'AzureWebJobsStorage', handler: async () => {} });
      app.http('ping', { route: 'ping', authLevel: 'anonymous', handler: async () => ({ body: 'pong' }) });`,
  });
  const host = await startHost({ appRoot: dir, env: { 'AzureWebJobs.work.Disabled': 'true' } });
  try {
    expect(await (await fetch(`${host.api}/ping`)).text()).toBe('pong');
    expect(host.output()).toMatch(/Function 'work' is disabled/);
  } finally {
    await host.stop();
  }
});

test('reports an entry point that throws while loading', async () => {
  const dir = app({ 'a.js': `throw new Error('bad module');` });
  await expect(startHost({ appRoot: dir })).rejects.toThrow(/unable to load entry point .*a\.js.*bad module/s);
});

test('rejects names that collide case-insensitively', async () => {
  const dir = app({
    'a.js': `const df = require('durable-functions');
      df.app.activity('Ship', { handler: () => 1 });
      df.app.activity('ship', { handler: () => 2 });`,
  });
  await expect(startHost({ appRoot: dir })).rejects.toThrow(/function names "Ship" and "ship" collide/);
});

test('rejects an invalid host.json', async () => {
  const dir = app({ 'a.js': `` });
  fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '1.0' }));
  await expect(startHost({ appRoot: dir })).rejects.toThrow(/host.json is invalid: version/);
});

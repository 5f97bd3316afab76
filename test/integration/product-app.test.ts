// The product app itself (package.json "main", host.json at the repository root) loads on the
// embedded runtime exactly as `npm start` runs it.
import path from 'node:path';
import { startHost } from 'azure-standin/testing';

test('the product app starts and answers its health endpoint', async () => {
  const host = await startHost({ appRoot: path.resolve(__dirname, '..', '..', '..') });
  try {
    const res = await fetch(`${host.api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  } finally {
    await host.stop();
  }
  // jest ignores a project's testTimeout: a start on a busy machine (Cosmos, Azurite, the
  // simulators) takes longer than the 5 s default.
}, 60_000);

// Blob bindings on Azurite as the storage blobs extension runs them: an output whose path takes
// a route parameter, a trigger that sees each new blob version once with the extension's trigger
// metadata, an input that reads what another function wrote (and binds nothing for a missing
// blob), poison after the threshold, and receipts that survive a restart.
import { waitFor } from '../../support/host';
import { BindingsApp, startBindingsApp } from './support';

let app: BindingsApp;
beforeAll(async () => {
  app = await startBindingsApp();
}, 60_000);
afterAll(() => app?.host.stop());

const put = (route: string, body: string) => fetch(`${app.host.api}/${route}`, { method: 'PUT', body });
const uploadsOf = (name: string) => app.effects('uploaded').filter((e) => e.name === name);

test('an uploaded blob triggers once with its bytes and metadata; the trigger\'s output is read back through a blob input', async () => {
  expect((await put('upload/hello.txt', 'hello, blob')).status).toBe(201);
  const [seen] = await waitFor(async () => (uploadsOf('hello.txt').length > 0 ? uploadsOf('hello.txt') : undefined), 'the trigger');
  expect(seen).toMatchObject({ isBuffer: true, text: 'hello, blob', name: 'hello.txt', blobTrigger: 'uploads/hello.txt', contentLength: 11 });
  expect(String(seen.uri)).toMatch(/\/uploads\/hello\.txt$/);
  const read = await waitFor(async () => {
    const r = await fetch(`${app.host.api}/processed/hello.txt`);
    return r.status === 200 ? r.text() : undefined;
  }, 'the processed blob');
  expect(read).toBe('HELLO, BLOB');
  expect((await fetch(`${app.host.api}/processed/never-uploaded.txt`)).status).toBe(404);
  await new Promise((r) => setTimeout(r, 1000));
  expect(uploadsOf('hello.txt')).toHaveLength(1);
});

test('a new version of a blob triggers again; a restart does not re-run versions already processed', async () => {
  await put('upload/versions.txt', 'v1');
  await waitFor(async () => (uploadsOf('versions.txt').length === 1 ? true : undefined), 'the first version');
  await put('upload/versions.txt', 'v2');
  await waitFor(async () => (uploadsOf('versions.txt').length === 2 ? true : undefined), 'the second version');
  expect(uploadsOf('versions.txt').map((e) => e.text)).toEqual(['v1', 'v2']);
  await app.restart();
  await new Promise((r) => setTimeout(r, 1500)); // several scans
  expect(uploadsOf('versions.txt')).toHaveLength(2);
  expect(uploadsOf('hello.txt')).toHaveLength(1);
});

test('a blob whose function keeps failing is tried poisonBlobThreshold times (3 in host.json), then left alone', async () => {
  await put('poison/bad.txt', 'cannot be processed');
  await waitFor(async () => (app.effects('poison-attempt').length >= 3 ? true : undefined), 'three attempts', 20_000);
  await new Promise((r) => setTimeout(r, 2000));
  expect(app.effects('poison-attempt').filter((e) => e.name === 'bad.txt')).toHaveLength(3);
});

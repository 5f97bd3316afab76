// The API docs page in a real headless Chromium: Swagger UI served by the app itself, reading the
// app's OpenAPI document; "Authorize" with a bearer token, then "Try it out" calls the API. The page
// loads nothing from anywhere but the app.
import path from 'node:path';
import { mintToken } from 'azure-standin';
import { HostProcess, startHost } from 'azure-standin/testing';
import type { Page } from 'playwright-core';
import { browserSuite } from 'azure-standin/browser-testing';

let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot: path.resolve(__dirname, '..', '..', '..'), logLevel: 'warning', env: { API_RATE_LIMIT_PER_SECOND: '0' } });
}, 90_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(90_000);
const browser = browserSuite();

/** Opens the docs page and records every request it makes and every console error. */
async function openDocs(): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.page();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${host.api}/v1/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
  return { page, requests, errors };
}

/** Expands an operation, presses "Try it out" and "Execute", and answers the live response once shown. */
async function tryItOut(page: Page, operationId: string) {
  const op = page.locator(`#operations-default-${operationId}`);
  await op.locator('.opblock-summary').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').click();
  const response = op.locator('.live-responses-table .response');
  await response.waitFor({ timeout: 30_000 });
  return response;
}

test('the page shows every operation of the OpenAPI document, with everything loaded from the app', async () => {
  const { page, requests, errors } = await openDocs();
  expect(await page.locator('.info .title').textContent()).toContain('Order backend API');
  const doc = (await (await fetch(`${host.api}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
  const shown = await page.locator('.opblock-summary').evaluateAll((els) =>
    els.map((e) => `${e.querySelector('.opblock-summary-method')?.textContent ?? ''} ${e.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''}`));
  expect(shown.sort()).toEqual(documented.sort());
  expect(requests.filter((u) => !u.startsWith(host.url))).toEqual([]);
  expect(requests).toContain(`${host.api}/v1/openapi.json`);
  expect(errors).toEqual([]);
});

test('Authorize takes a bearer token, and "Try it out" → "Execute" on GET /v1/orders answers 200', async () => {
  const { page, requests, errors } = await openDocs();
  const token = await mintToken(host.dataDir, { subject: 'cust-docs', email: 'docs@example.com' });

  await page.locator('button.authorize').first().click();
  const dialog = page.locator('.dialog-ux');
  await dialog.locator('input').first().fill(token);
  await dialog.locator('button.authorize').click();
  await dialog.locator('.auth-container', { hasText: 'Authorized' }).waitFor();
  await dialog.locator('button.btn-done').click();

  const sent: Promise<Record<string, string>> = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/orders' && r.method() === 'GET').then((r) => r.allHeaders());
  const response = await tryItOut(page, 'listOrders');
  expect((await response.locator('.response-col_status').textContent())?.trim()).toBe('200');
  expect(await response.locator('.response-col_description').textContent()).toContain('"items"');
  expect((await sent).authorization).toBe(`Bearer ${token}`);
  expect(requests.filter((u) => !u.startsWith(host.url))).toEqual([]);
  expect(errors).toEqual([]);
});

test('"Try it out" on GET /v1/products needs no token', async () => {
  const { page } = await openDocs();
  const response = await tryItOut(page, 'listProducts');
  expect((await response.locator('.response-col_status').textContent())?.trim()).toBe('200');
  expect(await response.locator('.response-col_description').textContent()).toContain('MUG-CER-350');
});

test('the page and its files: content types, caching by content hash, no inline script', async () => {
  const res = await fetch(`${host.api}/v1/docs`);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
  const html = await res.text();
  expect(html).not.toMatch(/<script>|https?:\/\//);
  const links = [...html.matchAll(/(?:href|src)="(docs\/[^"]+)"/g)].map((m) => m[1]);
  expect(links.map((l) => l.replace(/\?.*/, '')).sort()).toEqual(['docs/docs.js', 'docs/favicon-32x32.png', 'docs/swagger-ui-bundle.js', 'docs/swagger-ui.css']);

  const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', png: 'image/png' };
  for (const link of links) {
    const url = `${host.api}/v1/${link}`;
    const asset = await fetch(url);
    expect({ link, status: asset.status, type: asset.headers.get('content-type'), nosniff: asset.headers.get('x-content-type-options') }).toEqual({ link, status: 200, type: types[link.replace(/\?.*/, '').split('.').pop()!], nosniff: 'nosniff' });
    // The hash in the URL names this content: cached for a year.
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = asset.headers.get('etag')!;
    expect(etag).toBe(`"${new URL(url).searchParams.get('v')}"`);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // Without the current hash (an old page, a typed URL) it is revalidated instead.
    expect((await fetch(url.replace(/\?.*/, '?v=stale'))).headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
  }
  const script = await (await fetch(`${host.api}/v1/docs/docs.js`)).text();
  expect(script).toContain("url: 'openapi.json'");
  expect(script).toContain('validatorUrl: null');
  expect((await fetch(`${host.api}/v1/docs/swagger-ui.js.map`)).status).toBe(404);
  expect((await fetch(`${host.api}/v1/docs/constructor`)).status).toBe(404);
});

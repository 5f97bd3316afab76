// The console in a real headless Chromium: from the home page to an instance and its timeline,
// and a dead letter resubmitted by clicking its button.
import { ServiceBusClient } from '@azure/service-bus';
import { completed, HostProcess, startOrchestration } from '../../support/host';
import { browserSuite, startConsoleHost } from '../../support/console';

let host: HostProcess;
const browser = browserSuite();

beforeAll(async () => {
  host = await startConsoleHost();
}, 90_000);
afterAll(() => host?.stop());

test('home → instances → an instance\'s timeline', async () => {
  await startOrchestration(host, 'retrying', 'browser-retry-1', { failures: 1, attempts: 3 });
  await completed(host, 'browser-retry-1');
  const page = await browser.page();
  await page.goto(`${host.url}/`);
  expect(new URL(page.url()).pathname).toBe('/console');
  expect(await page.locator('h1').textContent()).toBe('Console');
  expect(await page.locator('header a', { hasText: 'Fixture page' }).count()).toBe(1);
  await page.locator('header a', { hasText: 'Durable instances' }).click();
  await page.waitForURL('**/console/instances');
  await page.fill('input[name=prefix]', 'browser-retry');
  await page.click('button:has-text("Apply")');
  await page.locator('a', { hasText: 'browser-retry-1' }).click();
  await page.waitForURL('**/console/instances/browser-retry-1');
  const rows = page.locator('table.timeline tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(4);
  expect(await page.locator('tr.fail[data-kind=activity]').count()).toBe(1);
  expect(await page.locator('tr.ok[data-kind=activity]', { hasText: 'retry, attempt 2' }).count()).toBe(1);
  // Raw JSON of a row opens in place.
  const raw = page.locator('tr[data-kind=activity] details:has(summary:text("raw"))').first();
  await raw.locator('summary').click();
  expect(await raw.locator('pre').textContent()).toContain('"Name": "flaky"');
}, 60_000);

test('a dead letter is resubmitted by clicking', async () => {
  const bus = new ServiceBusClient(host.serviceBus);
  try {
    const sender = bus.createSender('parking');
    await sender.sendMessages({ messageId: 'click-1', body: { id: 'click-1' } });
    const receiver = bus.createReceiver('parking');
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    await receiver.deadLetterMessage(m, { deadLetterReason: 'ByTest', deadLetterErrorDescription: 'parked by the browser test' });

    const page = await browser.page();
    await page.goto(`${host.url}/console/servicebus`);
    await page.locator('tr[data-entity=parking] td.fail a').click();
    await page.waitForURL(/queue=deadletter/);
    const row = page.locator('tr[data-message-id=click-1]');
    expect(await row.locator('td.fail').textContent()).toContain('ByTest');
    await row.locator('button[data-action=resubmit]').click();
    await page.waitForURL(/notice=/);
    expect(await page.locator('.flash').textContent()).toContain('resubmitted to parking');
    expect(await page.locator('tr[data-message-id=click-1]').count()).toBe(0);

    const [back] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(back.messageId).toBe('click-1');
    await receiver.completeMessage(back);
    await receiver.close();
    await sender.close();
  } finally {
    await bus.close();
  }
}, 60_000);

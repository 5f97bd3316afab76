// `azure-standin/browser-testing`: a real headless Chromium (Debian's, at /usr/bin/chromium, or
// CHROMIUM_PATH) driven by playwright-core (a peer dependency: the app's tests bring it), for
// Jest suites that test pages a person uses, the console's and an app's own. A failed test leaves
// a screenshot of each of its pages in test-artifacts/ under the working directory (a CI artifact).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = path.resolve(process.env.TEST_ARTIFACTS_DIR ?? 'test-artifacts');

/** Flags that keep Chromium off the network this machine may not have, and quiet. */
const flags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** One browser per suite, a fresh context per test, screenshots of the test's pages when it fails. */
export function browserSuite(): { page: () => Promise<Page> } {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: flags });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    if (context && (testFailed() || process.env.SCREENSHOTS === 'always')) {
      fs.mkdirSync(artifacts, { recursive: true });
      const name = (expect.getState().currentTestName ?? 'test').replace(/[^\w-]+/g, '-').slice(0, 100);
      for (const [i, p] of context.pages().entries()) await p.screenshot({ path: path.join(artifacts, `${name}-${i}.png`), fullPage: true }).catch(() => undefined);
    }
    await context?.close();
    context = undefined;
  });
  return {
    page: async () => {
      context ??= await browser!.newContext();
      return context.newPage();
    },
  };
}

/** Jest (circus) marks a failing test in its state; read defensively, it is not public API. */
function testFailed(): boolean {
  const s = (globalThis as { [k: symbol]: { currentlyRunningTest?: { errors?: unknown[] } } | undefined })[Symbol.for('JEST_STATE_SYMBOL')];
  return (s?.currentlyRunningTest?.errors?.length ?? 0) > 0;
}

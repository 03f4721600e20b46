/**
 * The page in a real browser: Debian's chromium driven by playwright-core (no browser download),
 * the production build served by `vite preview`, and the demo server CLI as a real child process
 * that allows exactly the page's origin. Clicks through HTTP then WebSocket like a user would.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '@mcp-transports/demo-server/spawn';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));
// $CHROMIUM_PATH, when set, is the only candidate (so a missing browser can be simulated too).
const CANDIDATES = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const CHROMIUM = CANDIDATES.find((path) => existsSync(path));
const MISSING = `no chromium at ${CANDIDATES.join(' or ')} (apt-get install chromium, or set CHROMIUM_PATH)`;

// CI must have chromium (.ci/run installs it); only a developer machine may lack it.
const UNDER_CI = process.env.CI !== undefined && process.env.CI !== '';
if (CHROMIUM === undefined && !UNDER_CI) console.warn(`[playground] browser tests skipped: ${MISSING}`);
it.runIf(CHROMIUM === undefined && UNDER_CI)('chromium is installed (required under CI)', () => {
  throw new Error(`the browser test needs chromium under CI: ${MISSING}`);
});

describe.skipIf(CHROMIUM === undefined)(`the playground in chromium${CHROMIUM ? '' : ` (skipped: ${MISSING})`}`, () => {
  let site: PreviewServer;
  let origin: string;
  let demo: RunningServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** Stops what beforeAll started, last first, even when it failed halfway. */
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const outDir = `${OUTPUT}dist`;
    await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    site = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 0, strictPort: true } });
    cleanups.push(() => site.close());
    const pageUrl = site.resolvedUrls?.local[0];
    if (pageUrl === undefined) throw new Error('vite preview did not report its URL');
    origin = new URL(pageUrl).origin;
    demo = await startServer(['--http', '127.0.0.1:0', '--ws', '127.0.0.1:0', '--allow-origin', origin]);
    cleanups.push(() => demo.stop());
    // Headless, as root in a container: no sandbox, no GPU, /dev/shm may be tiny.
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    cleanups.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  // Each test starts from a freshly loaded page, whatever the previous one left behind.
  beforeEach(async () => {
    const query = new URLSearchParams({
      http: demo.endpoints.get('streamable-http')!,
      ws: demo.endpoints.get('ws')!,
    });
    await page.goto(`${origin}/?${query.toString()}`);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function callTool(name: string, args: object, expected: string): Promise<void> {
    await page.getByLabel('Tool', { exact: true }).selectOption(name);
    await page.getByLabel('Arguments (JSON)').fill(JSON.stringify(args));
    await page.getByRole('button', { name: 'Call tool' }).click();
    await page.locator('#result[data-error="false"]', { hasText: expected }).waitFor();
  }

  it.each([
    ['http', 'Streamable HTTP', 'streamable-http'],
    ['ws', 'WebSocket', 'ws'],
  ] as const)(
    'over %s: connects, lists tools, calls echo, shows progress and logs, disconnects',
    async (kind, label, medium) => {
      await page.getByRole('radio', { name: label }).check();
      // Switching transport puts that transport's URL (from ?http=…&ws=…) in the field.
      expect(await page.getByLabel('Server URL').inputValue()).toBe(demo.endpoints.get(medium));
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      const status = page.getByRole('status');
      await page.locator('#status[data-state="connected"]').waitFor();
      expect(await status.textContent()).toContain(`over ${label}`);

      // The tool list arrives by itself after connecting; echo is preselected.
      await page.locator('#tool option[value="longRunningTask"]').waitFor({ state: 'attached' });
      const tools = await page
        .locator('#tool option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      expect(tools).toEqual(expect.arrayContaining(['echo', 'add', 'longRunningTask', 'logStream']));
      expect(await page.getByLabel('Tool', { exact: true }).inputValue()).toBe('echo');

      await callTool('echo', { text: `hello over ${kind} ✓` }, `hello over ${kind} ✓`);
      await callTool('longRunningTask', { steps: 3, stepMs: 20 }, 'Finished 3 steps.');
      const progress = await page.locator('#notifications li[data-kind="progress"] .text').allTextContents();
      expect(progress).toEqual([
        'progress 1 of 3: step 1 of 3',
        'progress 2 of 3: step 2 of 3',
        'progress 3 of 3: step 3 of 3',
      ]);
      await callTool('logStream', { count: 2, intervalMs: 10 }, '');
      await page.locator('#notifications li[data-kind="log"]').nth(1).waitFor();

      await mkdir(OUTPUT, { recursive: true });
      await page.screenshot({ path: `${OUTPUT}playground-${kind}.png`, fullPage: true });

      // Over HTTP, disconnecting ends the session on the server (DELETE) instead of leaving it to idle out.
      const deleted =
        kind === 'http' ? page.waitForResponse((response) => response.request().method() === 'DELETE') : undefined;
      await page.getByRole('button', { name: 'Disconnect' }).click();
      await page.locator('#status[data-state="disconnected"]').waitFor();
      if (deleted) expect((await deleted).status()).toBe(200);
      expect(await page.getByRole('button', { name: 'Call tool' }).isDisabled()).toBe(true);
      expect(pageErrors).toEqual([]);
    },
  );

  it('says what is wrong with a URL that does not fit the transport, and with arguments that are not JSON', async () => {
    await page.getByRole('radio', { name: 'WebSocket' }).check();
    await page.getByLabel('Server URL').fill(demo.endpoints.get('streamable-http')!);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('#status[data-state="error"]').waitFor();
    expect(await page.getByRole('status').textContent()).toContain(
      'WebSocket needs a URL starting with ws:// or wss://',
    );

    await page.getByRole('radio', { name: 'Streamable HTTP' }).check();
    await page.getByLabel('Server URL').fill(demo.endpoints.get('streamable-http')!);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.locator('#status[data-state="connected"]').waitFor();
    await page.locator('#tool option[value="echo"]').waitFor({ state: 'attached' });
    await page.getByLabel('Arguments (JSON)').fill('{"text": ');
    await page.getByRole('button', { name: 'Call tool' }).click();
    await page.locator('#result[data-error="true"]', { hasText: 'The arguments are not valid JSON' }).waitFor();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    expect(pageErrors).toEqual([]);
  });

  it('cannot reach a demo server started without --allow-origin over HTTP (no CORS), and says so', async () => {
    const closed = await startServer(['--http', '127.0.0.1:0']);
    try {
      await page.getByLabel('Server URL').fill(closed.endpoints.get('streamable-http')!);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.locator('#status[data-state="error"]').waitFor();
      expect(await page.getByRole('status').textContent()).toContain('Could not connect over Streamable HTTP');
      expect(await page.getByRole('button', { name: 'Connect', exact: true }).isEnabled()).toBe(true);
    } finally {
      await closed.stop();
    }
  });
});

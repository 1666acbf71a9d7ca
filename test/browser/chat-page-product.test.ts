/**
 * The chat page as a product (issue 18), in Debian's Chromium against a real server: steps that
 * fold after a run, Markdown rendered safely, Stop and Escape, an outage that keeps the thread
 * list and reconnects at once when the browser is back online, a stalled run shown as waiting
 * and its death in plain words with Retry, rename and delete, sign-in shared across tabs, and
 * long messages folded. Screenshots of each state go to test-results/screenshots/.
 */
import { defineAgent } from 'agentwire';
import type { AgentwireServer } from 'agentwire/server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, streamInput } from '../helpers/server.js';
import { chromiumPath, ensurePageBuilt, launchChromium, screenshot, startCutProxy, WEB_DIST, type CutProxy } from './harness.js';
import { ask, attr, connectionState, DESKTOP, PHONE, poll, signIn, statusOf, threadIdOf, waitSignedIn } from './page-helpers.js';

const CHROMIUM = chromiumPath();
/** A run silent this long dies (no_heartbeat): long enough to see it wait first (the page says so after 4 s). */
const HEARTBEAT_TIMEOUT_MS = 7_000;

/** Everything Markdown can carry, and three ways to run script that must all be removed. */
const MARKDOWN = [
  '## Result',
  '',
  'Some **bold** text and [the docs](https://example.com/docs).',
  '',
  '| city | time |',
  '|---|---|',
  '| Tokyo | 09:00 |',
  '',
  '```js',
  'const answer = 391;',
  '```',
  '',
  '<img src="x" onerror="window.__pwned = 1"> <script>window.__pwned = 2</script> [click](javascript:window.__pwned=3)',
].join('\n');

const markdownAgent = defineAgent({
  name: 'markdown',
  description: 'Answers with a fixed Markdown document (browser tests)',
  async run(_input, ctx) {
    await ctx.say(MARKDOWN);
    return { ok: true };
  },
});

describe.skipIf(CHROMIUM === undefined)('chat page as a product, in Chromium', () => {
  let server: AgentwireServer;
  let proxy: CutProxy;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const [started] = await Promise.all([
      startTestServer({ demo: true, staticDir: WEB_DIST, agents: [markdownAgent], engine: { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS } }),
      ensurePageBuilt(),
    ]);
    server = started;
    proxy = await startCutProxy(server.port);
    browser = await launchChromium(CHROMIUM as string);
  }, 90_000);

  afterEach(() => {
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  async function newContext(options: Parameters<Browser['newContext']>[0] = { viewport: DESKTOP }): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  }

  async function newPage(options?: Parameters<Browser['newContext']>[0]): Promise<Page> {
    const page = await (await newContext(options)).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  it('folds the steps of an ended run into one line that opens on click; finished bars read complete', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'fold-fay');
    const run = await ask(page, 'What is 17 * 23?');
    await poll(() => statusOf(run), 15_000).toBe('completed');
    const steps = run.getByTestId('steps');
    await poll(() => steps.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    expect(await run.getByTestId('steps-summary').textContent()).toMatch(/^Worked \d+(\.\d+)? (ms|s) · \d+ steps · calculator$/);
    expect(await run.locator('[data-tool="calculator"]').isVisible()).toBe(false);
    await screenshot(page, 'steps-folded-desktop');

    await run.getByTestId('steps-summary').click();
    await poll(() => steps.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(true);
    expect(await run.locator('[data-tool="calculator"]').isVisible()).toBe(true);
    // Every finished step's bar is full, none stuck at 10 % or 20 %.
    const bars = await run.locator('.step-progress').evaluateAll((els) => els.map((el) => el.getAttribute('data-progress')));
    expect(bars.length).toBeGreaterThan(0);
    expect(new Set(bars)).toEqual(new Set(['100']));
    // Screen readers hear "Step 1, Reading…", not "Step 1Reading…".
    expect(await run.locator('.step-thinking .step-text').first().textContent()).toMatch(/^Step 1, Reading the question/);
    await screenshot(page, 'steps-open-desktop');
    await page.setViewportSize(PHONE.viewport);
    await screenshot(page, 'steps-open-phone');
  }, 60_000);

  it('renders Markdown answers: a table, code with Copy, links that open safely, and no script', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'markdown-max');
    const run = await ask(page, 'show me', 'markdown');
    await poll(() => statusOf(run), 15_000).toBe('completed');
    const answer = run.getByTestId('answer');
    expect(await answer.locator('table td').allTextContents()).toEqual(['Tokyo', '09:00']);
    expect(await answer.locator('h2').textContent()).toBe('Result');
    expect(await answer.locator('strong').textContent()).toBe('bold');
    expect(await answer.locator('pre code').textContent()).toBe('const answer = 391;\n');
    expect(await answer.locator('pre .code-copy').textContent()).toBe('Copy');
    const link = answer.locator('a', { hasText: 'the docs' });
    expect(await attr(link, 'href')).toBe('https://example.com/docs');
    expect(await attr(link, 'target')).toBe('_blank');
    expect(await attr(link, 'rel')).toBe('noopener noreferrer');
    expect(await answer.locator('img, script').count()).toBe(0);
    expect(await attr(answer.locator('a', { hasText: 'click' }), 'href')).toBeNull();
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await screenshot(page, 'markdown-desktop');
    await page.setViewportSize(PHONE.viewport);
    await screenshot(page, 'markdown-phone');
  }, 60_000);

  it('stops a running run from the composer\'s Stop button, and with Escape', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'stop-sam');
    for (const how of ['button', 'escape'] as const) {
      const run = await ask(page, streamInput(300, 50, 12), 'stream');
      await run.getByTestId('answer').locator('[data-seq]').first().waitFor({ state: 'attached' });
      const stop = page.getByRole('button', { name: 'Stop' });
      expect(await stop.isVisible()).toBe(true);
      if (how === 'button') {
        await screenshot(page, 'stop-running-desktop');
        await stop.click();
      } else {
        await page.keyboard.press('Escape');
      }
      await poll(() => statusOf(run)).toBe('cancelled');
      expect(await run.getByTestId('run-outcome').textContent()).toMatch(/^Cancelled after /);
      await poll(() => stop.count()).toBe(0);
    }
    // Cancelled runs offer Retry.
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(2);
  }, 60_000);

  it('keeps the thread list with a quiet note while the server is away, and reconnects at once when the browser is back online', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'outage-oli');
    const run = await ask(page, 'What is 6 * 7?');
    await poll(() => statusOf(run), 15_000).toBe('completed');
    const threadId = await threadIdOf(page);
    const item = page.locator(`.thread-item[data-thread-id="${threadId}"]`);
    await poll(() => item.count()).toBe(1);

    proxy.refuse(true);
    proxy.cut();
    await poll(() => connectionState(page)).toBe('reconnecting');
    await poll(() => page.getByTestId('threads-offline').count()).toBe(1);
    expect(await item.count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'offline-list-desktop');
    await page.setViewportSize(PHONE.viewport);
    await page.getByRole('button', { name: 'Threads' }).click();
    // The drawer slides in; the screenshot waits until it is in place.
    await poll(() => page.locator('#sidebar').evaluate((el) => getComputedStyle(el).transform)).toBe('none');
    await screenshot(page, 'offline-list-phone');
    await page.keyboard.press('Escape');
    await page.setViewportSize(DESKTOP);

    // Wait until the next attempt is scheduled well ahead, then bring the network back.
    const reconnectAt = async () => Number(await attr(page.getByTestId('connection'), 'data-reconnect-at')) - (await page.evaluate(() => Date.now()));
    await poll(reconnectAt, 45_000).toBeGreaterThan(4_000);
    const scheduled = Number(await attr(page.getByTestId('connection'), 'data-reconnect-at'));
    proxy.refuse(false);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await poll(() => connectionState(page), 10_000).toMatch(/^(connected|resumed)$/);
    // Connected before the backoff's own attempt was due: the online event did it.
    expect(await page.evaluate(() => Date.now())).toBeLessThan(scheduled);
    await poll(() => page.getByTestId('threads-offline').count()).toBe(0);
  }, 90_000);

  it('shows a stalled run as waiting, then its death in plain words, and Retry sends it again', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'death-dee');
    const input = JSON.stringify({ events: 50, intervalMs: 20, bytes: 12, stallAfter: 3 });
    const run = await ask(page, input, 'stream');
    await poll(() => attr(run, 'data-waiting'), 15_000).toBe('true');
    expect(await run.getByTestId('run-status').textContent()).toBe('Waiting for the agent…');
    expect(await run.locator('.caret').count()).toBe(0);
    await screenshot(page, 'waiting-desktop');

    await poll(() => statusOf(run), 20_000).toBe('died');
    expect(await run.getByTestId('run-outcome').textContent()).toBe('The agent stopped responding, so the run was ended.');
    await screenshot(page, 'died-retry-desktop');
    await page.setViewportSize(PHONE.viewport);
    await screenshot(page, 'died-retry-phone');
    await page.setViewportSize(DESKTOP);

    await run.getByRole('button', { name: 'Retry' }).click();
    const again = page.locator('article.run[data-run-id]').nth(1);
    await again.waitFor();
    expect(await again.locator('.user-message').textContent()).toBe(input);
    await poll(() => statusOf(again)).toMatch(/^(queued|running)$/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await poll(() => statusOf(again)).toBe('cancelled');
  }, 90_000);

  it('renames and deletes a thread; the store really deletes it', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'edit-eda');
    const run = await ask(page, 'What is 2 + 2?');
    await poll(() => statusOf(run), 15_000).toBe('completed');
    const threadId = await threadIdOf(page);
    const title = page.locator(`.thread-item[data-thread-id="${threadId}"] .thread-title`);
    await poll(() => title.allTextContents()).toEqual(['2 + 2 = 4']);
    expect(await page.getByTestId('chat-heading').textContent()).toBe('2 + 2 = 4');

    await page.getByRole('button', { name: 'Rename “2 + 2 = 4”' }).click();
    await page.getByLabel('New name').fill('Sums for Eda');
    await screenshot(page, 'rename-desktop');
    await page.getByLabel('New name').press('Enter');
    await poll(() => title.allTextContents()).toEqual(['Sums for Eda']);
    await poll(() => page.getByTestId('chat-heading').textContent()).toBe('Sums for Eda');
    expect((await server.store.getThread(threadId))?.title).toBe('Sums for Eda');

    // Search narrows the list by title.
    await page.getByRole('button', { name: 'New chat' }).click();
    const other = await ask(page, 'What time is it in Tokyo?');
    await poll(() => statusOf(other), 15_000).toBe('completed');
    await poll(() => page.locator('.thread-item .thread-title').allTextContents()).toEqual(['Time in Tokyo', 'Sums for Eda']);
    await page.getByLabel('Search conversations').fill('sums');
    await poll(() => page.locator('.thread-item .thread-title').allTextContents()).toEqual(['Sums for Eda']);
    await page.getByLabel('Search conversations').fill('');
    await page.locator(`.thread-item[data-thread-id="${threadId}"]`).click();
    await poll(() => page.getByTestId('chat-heading').textContent()).toBe('Sums for Eda');

    await page.getByRole('button', { name: 'Delete “Sums for Eda”' }).click();
    await page.getByRole('group', { name: 'Delete this conversation?' }).getByRole('button', { name: 'Delete' }).click();
    await poll(() => title.count()).toBe(0);
    await poll(() => page.evaluate(() => location.hash)).toBe('');
    expect(await server.store.getThread(threadId)).toBeUndefined();
    expect(await server.store.readThread('edit-eda', threadId, 0, 100)).toEqual([]);
  }, 60_000);

  it('shares sign-in across tabs, signs out everywhere, and refuses a name with spaces in its own words', async () => {
    const context = await newContext();
    const first = await context.newPage();
    first.on('pageerror', (error) => pageErrors.push(error.message));
    await first.goto(proxy.url);
    await first.getByLabel('Your name').fill('ada lovelace');
    await first.getByRole('button', { name: 'Continue' }).click();
    await poll(() => first.getByRole('alert').allTextContents()).toEqual(['Use one word without spaces, for example "ada" or "ada.lovelace".']);
    await screenshot(first, 'sign-in-refused-desktop');
    await first.getByLabel('Your name').fill('ada.lovelace');
    await first.getByRole('button', { name: 'Continue' }).click();
    await waitSignedIn(first, 'ada.lovelace');

    // A new tab of the same browser is signed in already.
    const second = await context.newPage();
    second.on('pageerror', (error) => pageErrors.push(error.message));
    await second.goto(proxy.url);
    await waitSignedIn(second, 'ada.lovelace');
    expect(await second.getByLabel('Your name').count()).toBe(0);

    await first.getByRole('button', { name: 'Sign out' }).click();
    await poll(() => second.getByLabel('Your name').count()).toBe(1);
  }, 60_000);

  it('folds a pasted 5,000-character message behind "Show more"', async () => {
    const page = await newPage();
    await signIn(page, proxy.url, 'long-lou');
    const text = `Please read this. ${'All work and no play makes a long message. '.repeat(120)}`.slice(0, 5000);
    const run = await ask(page, text);
    await poll(() => statusOf(run), 15_000).toBe('completed');
    const message = run.locator('.user-message p');
    expect(await attr(message, 'data-folded')).toBe('true');
    // Right-to-left text reads the right way round: the browser picks the direction per message.
    expect(await attr(message, 'dir')).toBe('auto');
    expect(await attr(run.getByTestId('answer').locator('.markdown'), 'dir')).toBe('auto');
    expect(((await message.textContent()) ?? '').length).toBeLessThan(700);
    expect((await run.locator('.user-message').boundingBox())?.height ?? 0).toBeLessThan(400);
    await screenshot(page, 'long-message-desktop');
    await run.getByRole('button', { name: /^Show more/ }).click();
    expect(await message.textContent()).toBe(text);
    await page.setViewportSize(PHONE.viewport);
    await run.getByRole('button', { name: 'Show less' }).click();
    await screenshot(page, 'long-message-phone');
  }, 60_000);
});

/**
 * The chat page in a real browser (Debian's Chromium through playwright-core) against a real
 * server: the Golden Path, a connection cut mid-run, and two users side by side. The page
 * renders every event with its seq in data-seq, so "each event exactly once" is read off the
 * DOM and compared with what the server stored. Screenshots go to test-results/screenshots/.
 */
import type { AgentEvent } from 'agentwire/client';
import type { AgentwireServer } from 'agentwire/server';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, streamInput } from '../helpers/server.js';
import { chromiumPath, ensurePageBuilt, launchChromium, screenshot, startCutProxy, WEB_DIST, type CutProxy } from './harness.js';
import { ask, connectionState, DESKTOP, PHONE, poll, signIn as signInAt, statusOf, threadIdOf } from './page-helpers.js';

const CHROMIUM = chromiumPath();

describe.skipIf(CHROMIUM === undefined)('chat page in Chromium', () => {
  let server: AgentwireServer;
  let proxy: CutProxy;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Uncaught errors in any page: a test fails if its pages threw. */
  let pageErrors: string[] = [];

  beforeAll(async () => {
    const [started] = await Promise.all([startTestServer({ demo: true, staticDir: WEB_DIST }), ensurePageBuilt()]);
    server = started;
    proxy = await startCutProxy(server.port);
    browser = await launchChromium(CHROMIUM as string);
  }, 60_000);

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

  async function newPage(options: Parameters<Browser['newContext']>[0] = { viewport: DESKTOP }): Promise<Page> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  /** Signs in by name through the page (the page talks to the server through the proxy). */
  function signIn(page: Page, name: string): Promise<void> {
    return signInAt(page, proxy.url, name);
  }

  /** Every data-seq in a run card, in document order. */
  function seqsOf(run: Locator): Promise<number[]> {
    return run.locator('[data-seq]').evaluateAll((elements) => elements.map((el) => Number(el.getAttribute('data-seq'))));
  }

  async function tokenOf(page: Page): Promise<string> {
    return page.evaluate(() => (JSON.parse(localStorage.getItem('agentwire.session') ?? '{}') as { token: string }).token);
  }

  /** What the server stored for the thread, read over its HTTP API with the user's token. */
  async function storedEvents(token: string, threadId: string): Promise<AgentEvent[]> {
    const res = await fetch(`${server.url}/api/threads/${threadId}/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: AgentEvent[] }).events;
  }

  it('asks "What is 17 * 23?" and shows the calculator call, the answer 391 and the final state', async () => {
    const page = await newPage();
    await page.goto(proxy.url);
    await page.getByLabel('Your name').waitFor();
    await screenshot(page, 'sign-in-desktop');
    await signIn(page, 'alice');
    // No model configured: the header says who answers.
    expect(await page.getByTestId('model').textContent()).toBe('deterministic assistant');
    await screenshot(page, 'empty-thread-desktop');

    const run = await ask(page, 'What is 17 * 23?');
    await poll(() => statusOf(run), 15_000).toBe('completed');

    const tool = run.locator('[data-tool="calculator"]');
    await poll(() => tool.count()).toBe(1);
    expect(await tool.locator('.tool-args').textContent()).toBe('17 * 23');
    expect(await tool.locator('.tool-result').textContent()).toBe('391');
    expect(await tool.getByTestId('tool-duration').textContent()).toMatch(/^\d+(\.\d+)? ms$/);
    expect(await run.getByTestId('answer').textContent()).toContain('391');
    expect(await run.getByTestId('run-outcome').textContent()).toMatch(/^Completed in \d/);
    expect(await run.locator('.step-thinking').count()).toBeGreaterThan(0);
    expect(await run.locator('.user-message').textContent()).toBe('What is 17 * 23?');
    await screenshot(page, 'golden-path-desktop');

    // The page shows exactly the events the server stored for the thread, each once.
    const threadId = await threadIdOf(page);
    const stored = await storedEvents(await tokenOf(page), threadId);
    const seqs = await seqsOf(run);
    expect(seqs).toEqual(stored.map((e) => e.seq));
    expect(stored.at(-1)?.type).toBe('agent_completed');
    await poll(() => page.locator(`[data-thread-id="${threadId}"]`).count()).toBeGreaterThan(0);

    // A reload resumes from the tab's saved position: same thread, same run, still each event once.
    await page.reload();
    const again = page.locator('article.run[data-run-id]');
    await poll(() => again.count()).toBe(1);
    await poll(() => statusOf(again.first())).toBe('completed');
    expect(await seqsOf(again.first())).toEqual(seqs);

    // The same user on a phone: the thread list is a drawer, the history loads over HTTP.
    const phone = await newPage(PHONE);
    await phone.goto(proxy.url);
    await phone.getByLabel('Your name').waitFor();
    await screenshot(phone, 'sign-in-phone');
    await signIn(phone, 'alice');
    await phone.getByRole('button', { name: 'Threads' }).click();
    const item = phone.locator(`.thread-item[data-thread-id="${threadId}"]`);
    await item.waitFor({ state: 'visible' });
    // The drawer slides in; the screenshot waits until it is in place.
    await poll(() => phone.locator('#sidebar').evaluate((el) => getComputedStyle(el).transform)).toBe('none');
    await screenshot(phone, 'thread-drawer-phone');
    await item.click();
    const phoneRun = phone.locator('article.run[data-run-id]').first();
    await poll(() => statusOf(phoneRun)).toBe('completed');
    expect(await phoneRun.locator('[data-tool="calculator"] .tool-result').textContent()).toBe('391');
    expect(await seqsOf(phoneRun)).toEqual(seqs);
    await screenshot(phone, 'golden-path-phone');
  }, 60_000);

  it('shows reconnecting, then resumed, when the connection is cut mid-run, with every event exactly once', async () => {
    const page = await newPage();
    await signIn(page, 'bob');
    const events = 120;
    const run = await ask(page, streamInput(events, 40, 12), 'stream');
    const answerParts = run.getByTestId('answer').locator('[data-seq]');
    await poll(() => answerParts.count()).toBeGreaterThanOrEqual(15);
    const threadId = await threadIdOf(page);
    const token = await tokenOf(page);

    // The network goes away: open connections drop and new ones are turned away.
    proxy.refuse(true);
    proxy.cut();
    await poll(() => connectionState(page)).toBe('reconnecting');
    expect(await page.getByTestId('connection').textContent()).toMatch(/Reconnecting/);
    const shownWhenCut = await answerParts.count();
    // The run goes on without the page: wait until the server has stored events the page missed.
    await poll(async () => (await storedEvents(token, threadId)).length).toBeGreaterThan(shownWhenCut + 10);
    expect(await connectionState(page)).toBe('reconnecting');
    await screenshot(page, 'reconnecting-desktop');
    await page.setViewportSize(PHONE.viewport);
    await screenshot(page, 'reconnecting-phone');
    await page.setViewportSize(DESKTOP);

    proxy.refuse(false);
    await poll(() => connectionState(page), 20_000).toBe('resumed');
    const label = (await page.getByTestId('connection').textContent()) ?? '';
    expect(label).toMatch(/^Resumed · \d+ events?$/);
    expect(Number(/\d+/.exec(label)?.[0])).toBeGreaterThan(0);
    await screenshot(page, 'resumed-desktop');

    await poll(() => statusOf(run), 20_000).toBe('completed');
    const seqs = await seqsOf(run);
    // Unique, contiguous (bob has no other run), and exactly what the server stored.
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] ?? 0) + i));
    expect(seqs.length).toBe(events + 2);
    const stored = await storedEvents(token, threadId);
    expect(seqs).toEqual(stored.map((e) => e.seq));
    // The streamed deltas arrived in order, none twice: "#000001 …", "#000002 …", …
    const labels = ((await run.getByTestId('answer').textContent()) ?? '').match(/#\d{6}/g);
    expect(labels).toEqual(Array.from({ length: events }, (_, i) => `#${String(i + 1).padStart(6, '0')}`));
    await screenshot(page, 'after-reconnect-desktop');
  }, 60_000);

  it('cancels a running run from its Cancel button', async () => {
    const page = await newPage();
    await signIn(page, 'erin');
    const run = await ask(page, streamInput(200, 50, 12), 'stream');
    await run.getByTestId('answer').locator('[data-seq]').first().waitFor({ state: 'attached' });
    await run.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => statusOf(run)).toBe('cancelled');
    expect(await run.getByTestId('run-outcome').textContent()).toMatch(/^Cancelled after /);
    expect(await run.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    expect(await run.getByTestId('answer').locator('[data-seq]').count()).toBeLessThan(200);
    await screenshot(page, 'cancelled-desktop');
  }, 30_000);

  it('shows two users signed in side by side only their own runs and threads', async () => {
    const users = [
      { name: 'carol', question: 'What is 2 + 3?', answer: '5' },
      { name: 'dave', question: 'What is 6 * 7?', answer: '42' },
    ];
    // Dave's browser is in dark mode: the page follows the system setting.
    const pages = await Promise.all(users.map((user) => newPage({ viewport: DESKTOP, colorScheme: user.name === 'dave' ? 'dark' : 'light' })));
    // Every frame the server sent to each page, as the browser received it.
    const received = pages.map((page) => {
      const frames: { userId?: string; type: string }[] = [];
      page.on('websocket', (socket) => {
        socket.on('framereceived', ({ payload }) => {
          frames.push(JSON.parse(String(payload)) as { userId?: string; type: string });
        });
      });
      return frames;
    });
    await Promise.all(users.map((user, i) => signIn(pages[i]!, user.name)));

    const runs = await Promise.all(users.map((user, i) => ask(pages[i]!, user.question)));
    await Promise.all(runs.map((run) => poll(() => statusOf(run), 15_000).toBe('completed')));
    const threadIds = await Promise.all(pages.map(threadIdOf));

    for (const [i, user] of users.entries()) {
      const page = pages[i]!;
      const other = users[1 - i]!;
      expect(await runs[i]!.getByTestId('answer').textContent()).toContain(user.answer);
      const cards = page.locator('article.run[data-run-id]');
      expect(await cards.count()).toBe(1);
      expect(await cards.first().locator('.user-message').textContent()).toBe(user.question);
      // Named from the first exchange: the sum, not the question's first words.
      await poll(() => page.locator('.thread-item .thread-title').allTextContents()).toEqual([user.question.replace(/^What is (.*)\?$/, `$1 = ${user.answer}`)]);
      expect(await page.getByText(other.question).count()).toBe(0);
      // On the wire: every agent event and the connection itself belonged to this user.
      const frames = received[i]!;
      expect(frames.some((f) => f.type === 'agent_completed')).toBe(true);
      expect(frames.filter((f) => f.userId !== undefined && f.userId !== user.name)).toEqual([]);
      await screenshot(page, `isolation-${user.name}-desktop`);
    }

    // Opening the other user's thread by its id shows one refusal, where one would type, not the thread.
    const carol = pages[0]!;
    await carol.evaluate((id) => {
      location.hash = id;
    }, threadIds[1]!);
    await poll(() => carol.locator('.composer-disabled').allTextContents().then((texts) => texts.join(' '))).toMatch(/belongs to another user/);
    expect(await carol.getByRole('alert').count()).toBe(0);
    expect(await carol.getByLabel('Message').isDisabled()).toBe(true);
    expect(await carol.locator('article.run[data-run-id]').count()).toBe(0);
    expect(await carol.getByText(users[1]!.question).count()).toBe(0);
    await screenshot(carol, 'isolation-forbidden-desktop');
  }, 60_000);
});

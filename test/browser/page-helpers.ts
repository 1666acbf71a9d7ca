/** What the chat-page tests do to a page: sign in, ask, and read state without Playwright's auto-wait. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Polls without Playwright's auto-wait inside (each read must return at once), on a busy 2-core box. */
export function poll<T>(read: () => Promise<T>, timeout = 10_000): ReturnType<typeof expect.poll<T>> {
  return expect.poll(read, { timeout, interval: 100 });
}

/** An attribute of the first match, or null; unlike locator.getAttribute it never waits. */
export function attr(locator: Locator, name: string): Promise<string | null> {
  return locator.evaluateAll((elements, n) => elements[0]?.getAttribute(n) ?? null, name);
}

export function connectionState(page: Page): Promise<string | null> {
  return attr(page.getByTestId('connection'), 'data-state');
}

export function statusOf(run: Locator): Promise<string | null> {
  return attr(run, 'data-status');
}

export async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await waitSignedIn(page, name);
}

export async function waitSignedIn(page: Page, name: string): Promise<void> {
  await poll(() => connectionState(page)).toMatch(/^(connected|resumed)$/);
  await poll(() => page.getByTestId('user').allTextContents().then((texts) => texts.join(''))).toBe(name);
}

/** Sends a message from the message box and returns the run card it started. */
export async function ask(page: Page, text: string, agent?: string): Promise<Locator> {
  const before = await page.locator('article.run[data-run-id]').count();
  if (agent !== undefined) await page.getByLabel('Agent').selectOption(agent);
  await page.getByLabel('Message').fill(text);
  await page.getByLabel('Message').press('Enter');
  const run = page.locator('article.run[data-run-id]').nth(before);
  await run.waitFor();
  return run;
}

export async function threadIdOf(page: Page): Promise<string> {
  await poll(() => page.evaluate(() => location.hash)).toMatch(/^#thr_/);
  return (await page.evaluate(() => location.hash)).slice(1);
}

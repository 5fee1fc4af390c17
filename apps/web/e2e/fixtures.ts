import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SCREENSHOTS = resolve(__dirname, '..', '..', '..', 'docs', 'screenshots');

export function stackUrl(): string {
  const url = process.env.STEWARD_WEB_URL;
  if (!url) throw new Error('STEWARD_WEB_URL is unset: global-setup did not start the stack');
  return url;
}

/** baseURL comes from the stack global-setup started. */
export const test = base.extend<{ signIn: (userId: string, opts?: { phone?: boolean }) => Promise<Page> }>({
  baseURL: async ({}, use) => use(stackUrl()),
  signIn: async ({ browser }, use) => {
    const pages: Page[] = [];
    await use(async (userId, opts) => {
      const page = await signInAs(browser, userId, opts);
      pages.push(page);
      return page;
    });
    for (const p of pages) await p.context().close();
  },
});

/** A fresh browser context per user, signed in through the development user picker, as a person would. */
export async function signInAs(browser: Browser, userId: string, { phone = false } = {}): Promise<Page> {
  const context = await browser.newContext({
    baseURL: stackUrl(),
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByRole('combobox', { name: 'Demo user' }).selectOption(userId);
  await page.getByRole('button', { name: 'Sign in as this user' }).click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByTestId('whoami')).toBeVisible();
  return page;
}

/**
 * Every test run renders its screenshots, but only `npm run screenshots` (STEWARD_SCREENSHOTS=1) writes them to
 * docs/screenshots/; otherwise they go to the test's output directory, so `npm test` leaves the tree clean.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.STEWARD_SCREENSHOTS === '1' ? SCREENSHOTS : base.info().outputDir;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export { expect };

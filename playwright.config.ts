import { defineConfig } from '@playwright/test';

/**
 * The web console in a real browser: Debian's Chromium (browser downloads are not possible here; `npm run test:web`
 * installs it with apt when missing), against the real stack that global-setup starts with the launcher.
 */
export default defineConfig({
  testDir: 'apps/web/e2e',
  testMatch: '**/*.pw.ts',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // One stack on a 2-core machine: one browser at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  globalSetup: './apps/web/e2e/global-setup.ts',
  outputDir: 'apps/web/test-results',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] },
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});

import { defineConfig } from '@playwright/test';

/** E2E runs the real renderer in Debian's Chromium through the browser host (the Electron binary is unavailable). */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.spec\.ts$/,
  outputDir: 'test-results/playwright',
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  // One retry: a test that only passes on its second run is still listed as 'flaky' in the report (and its
  // first failure's trace is kept), but a one-off timing hiccup on a loaded CI machine does not hide the rest.
  retries: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: process.env.MUSEDANCE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});

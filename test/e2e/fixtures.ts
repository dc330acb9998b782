/**
 * E2E fixture: a real browser host (real services, real registry) on a random port with a fresh data dir,
 * and a Chromium page opened on its launch URL. Screenshots go to test-results/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { startHost, type RunningHost } from '../../electron/host/server';
import { createStudio, type Studio } from '../../electron/services/composition-root';
import { loadConfig } from '../../electron/services/config';

export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

export interface StudioFixture {
  host: RunningHost;
  studio: Studio;
  page: Page;
  /** A temp folder for this test's projects and media. */
  workDir: string;
  screenshot(name: string): Promise<void>;
}

export const test = base.extend<{ app: StudioFixture }>({
  app: async ({ page }, use) => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-e2e-'));
    const config = { ...loadConfig(), dataDir: path.join(workDir, 'data') };
    const studio = createStudio('web', config);
    const host = await startHost({ registry: studio.registry, rendererDir: path.resolve('dist/renderer'), media: studio.media });
    await page.goto(host.launchUrl);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await use({
      host,
      studio,
      page,
      workDir,
      screenshot: async (name) => {
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
      },
    });
    await host.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';

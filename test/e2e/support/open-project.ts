/**
 * Opens a project folder from the empty state like a user would (type the folder, press Open) and waits for
 * `ready` to show. On a timeout the failure says what the page showed instead (an alert, a dialog, the
 * analysis progress line), so a CI log explains itself without the trace.
 */
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

/** The open + song analysis of a small test project; generous for a loaded CI machine. */
const READY_TIMEOUT_MS = 60_000;

export async function openProjectFromEmptyState(page: Page, dir: string, ready: Locator): Promise<void> {
  await expect(page.getByTestId('empty-state')).toBeVisible();
  const folder = page.getByLabel('Project folder');
  await folder.fill(dir);
  await expect(folder).toHaveValue(dir);
  const open = page.getByRole('button', { name: 'Open' });
  await expect(open).toBeEnabled();
  await open.click();
  try {
    await expect(ready).toBeVisible({ timeout: READY_TIMEOUT_MS });
  } catch (error) {
    const shown = (await page.locator('body').innerText().catch(() => '(page text unavailable)')).replace(/\s+/g, ' ').slice(0, 1500);
    throw new Error(`opening ${dir}: ${ready} did not appear within ${READY_TIMEOUT_MS} ms; the page showed: ${shown}`, { cause: error });
  }
}

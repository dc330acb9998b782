/**
 * Bars on the timeline (issue 22): downbeats carry bar numbers that the timeline draws and announces, and marker
 * files carry them out (CSV `Bar 12`) and back in unchanged; the beat network (Shift+B) brings its own bars.
 * Real services (the shipped beat network), real renderer in Chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { makeClickTrack, projectWithSong } from './support/song-project';
import { openProjectFromEmptyState } from './support/open-project';

const SONG_SEC = 12;
const said = (page: Page) => page.getByTestId('timeline-live');
const barLabels = async (page: Page) => ((await page.getByTestId('timeline-canvas').getAttribute('data-bar-labels')) ?? '').split(' ').filter(Boolean).map(Number);

test('downbeats show their bar numbers on the timeline, and CSV markers carry them out and back in', async ({ app }) => {
  const { page } = app;
  const song = makeClickTrack(path.join(app.workDir, 'click-120bpm.wav'), { bpm: 120, seconds: SONG_SEC });
  const dir = path.join(app.workDir, 'bars');
  await projectWithSong(app.studio.registry, dir, song);
  await openProjectFromEmptyState(page, dir, page.getByTestId('timeline-canvas'));
  await expect(page.getByTestId('beat-summary')).toContainText(/\d+ beats · [\d.]+ BPM/);

  // A 4/4 grid at 120 BPM whose bars start at 1 s: Bar 1 .. Bar 5 (pick-up beat at 0.5 s has no bar).
  const rows = ['Name,Start,Duration,Timecode,Description'];
  for (let i = 1; i <= 20; i++) {
    const t = i * 0.5;
    const bar = (i - 2) % 4 === 0 ? `Bar ${(i - 2) / 4 + 1}` : `Beat ${i}`;
    rows.push(`${bar},${t.toFixed(6)},0.000000,00:00:00:00,detected`);
  }
  await page.keyboard.press('Control+I');
  await page.getByRole('dialog', { name: 'Import beat markers' }).getByTestId('marker-file').setInputFiles({ name: 'bars.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\r\n')) });
  await expect(page.getByTestId('notice').last()).toContainText('Imported 20 beat markers');
  await expect(page.getByTestId('beat-summary')).toContainText('20 beats');

  // The whole song is on screen: every bar number is drawn, in order.
  await expect.poll(() => barLabels(page)).toEqual([1, 2, 3, 4, 5]);
  await app.screenshot('timeline-bars');
  // Keyboard: the first beat is the pick-up, the second the downbeat of bar 1.
  await page.keyboard.press(']');
  await expect(said(page)).toContainText('Beat 1 of 20');
  await expect(said(page)).not.toContainText('bar');
  await page.keyboard.press(']');
  await expect(said(page)).toContainText('downbeat of bar 1');

  // Zoomed far in, only the bars in view are labelled.
  for (let i = 0; i < 6; i++) await page.keyboard.press('=');
  await expect.poll(async () => (await barLabels(page)).length).toBeLessThan(5);

  // Export as CSV: downbeats are named "Bar N"; importing that file gives the same markers again.
  const exportCsv = async (prefix: string) => {
    await page.keyboard.press('Control+E');
    const dialog = page.getByRole('dialog', { name: 'Export beat markers' });
    await dialog.getByLabel('Format').click();
    await page.getByRole('option', { name: /CSV/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    const file = path.join(app.workDir, `${prefix}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    return { file, text: fs.readFileSync(file, 'utf8') };
  };
  const first = await exportCsv('first');
  const names = first.text.trim().split(/\r?\n/).slice(1).map((r) => r.split(',')[0]);
  expect(names.filter((n) => n!.startsWith('Bar '))).toEqual(['Bar 1', 'Bar 2', 'Bar 3', 'Bar 4', 'Bar 5']);
  expect(first.text).toMatch(/^Bar 3,5\.000000,/m);
  await page.keyboard.press('Control+I');
  await page.getByRole('dialog', { name: 'Import beat markers' }).getByTestId('marker-file').setInputFiles(first.file);
  await expect(page.getByTestId('notice').last()).toContainText('Imported 20 beat markers');
  await expect.poll(async () => (await barLabels(page)).length).toBeGreaterThan(0);
  const second = await exportCsv('second');
  expect(second.text).toBe(first.text);

  // The beat network on the song (Shift+B): its beats and bars replace the imported ones; undo brings them back.
  await page.keyboard.press('0'); // zoom to fit: the whole song in view
  await page.keyboard.press('Shift+B');
  await expect(page.getByTestId('notice').last()).toContainText(/Detected \d+ beats in \d+ bars of \d+ beats at [\d.]+ BPM/, { timeout: 60_000 });
  await expect.poll(async () => (await barLabels(page)).length).toBeGreaterThan(2);
  const labels = await barLabels(page);
  expect(labels).toEqual([...labels].sort((a, b) => a - b));
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('beat-summary')).toContainText('20 beats');
  await expect.poll(() => barLabels(page)).toEqual([1, 2, 3, 4, 5]);
});

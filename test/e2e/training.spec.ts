/**
 * The Training screen end to end (browser host, real services, the real Python worker): create a dataset,
 * drop two generated clips onto it, edit a caption, start a run, watch the loss chart grow, cancel.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from './fixtures';

const makeClip = (file: string, pattern: string, beatSec: number) =>
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `${pattern}=size=96x72:rate=24:duration=4.5`,
    '-f', 'lavfi', '-i', `aevalsrc=0.8*sin(2*PI*880*t)*exp(-30*mod(t\\,${beatSec})):s=22050:d=4.5`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);

test('add clips by drag and drop, edit a caption, start training, see the loss chart move, cancel', async ({ app }) => {
  test.setTimeout(240_000);
  const { page, workDir } = app;
  const clips = [
    { name: 'hop.mp4', file: path.join(workDir, 'hop.mp4') },
    { name: 'sway.mp4', file: path.join(workDir, 'sway.mp4') },
  ];
  makeClip(clips[0]!.file, 'testsrc', 0.5);
  makeClip(clips[1]!.file, 'testsrc2', 0.6);

  await page.getByRole('tab', { name: 'Training' }).click();
  const datasetDir = path.join(workDir, 'my-dataset');
  await page.getByLabel('Dataset folder').fill(datasetDir);
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(page.getByTestId('dataset-summary')).toContainText('64×64 at 12 fps');

  // Drop both files onto the drop zone (a real DataTransfer with File objects, as a file manager drop).
  const payload = clips.map((c) => ({ name: c.name, base64: fs.readFileSync(c.file).toString('base64') }));
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.base64), (ch) => ch.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'video/mp4' }));
    }
    return dt;
  }, payload);
  const zone = page.getByTestId('clip-drop-zone');
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('clip-row')).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByTestId('clip-row').filter({ hasText: 'ready' })).toHaveCount(2);
  await expect(page.getByTestId('dataset-summary')).toContainText('2 training window(s)');
  await app.screenshot('training-dataset');

  // Edit one caption: it lands in every window's caption.txt.
  const caption = page.getByRole('textbox', { name: 'Caption of hop.mp4' });
  await caption.fill('hops on every beat');
  await caption.press('Enter');
  await expect.poll(() => {
    const sources = JSON.parse(fs.readFileSync(path.join(datasetDir, 'sources.json'), 'utf8'));
    const clip = sources.clips.find((c: { sourceName: string }) => c.sourceName === 'hop.mp4');
    return fs.readFileSync(path.join(datasetDir, 'clips', clip.windows[0], 'caption.txt'), 'utf8').trim();
  }).toBe('hops on every beat');

  // Run: far more steps than can finish before we cancel (400 steps once completed on an idle machine at ~4 steps/s
  // before the Cancel click, and the test then could not find the button).
  await page.getByLabel('Run name').fill('e2e-run');
  await page.getByLabel('Stage 1 steps').fill('100000');
  await page.getByLabel('Checkpoint every').fill('5');
  await page.getByLabel('Learning rate').fill('0.0003');
  await expect(page.getByTestId('run-estimate')).toContainText('parameters');
  await page.getByRole('button', { name: 'Start training' }).click();

  const chart = page.getByTestId('loss-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 150_000 }).toBeGreaterThanOrEqual(2);
  const first = Number(await chart.getAttribute('data-points'));
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(first);
  await expect(chart.locator('path.recharts-line-curve').first()).toBeVisible();
  await expect(page.getByTestId('run-status')).toHaveText('training');
  await chart.scrollIntoViewIfNeeded();
  await app.screenshot('training-loss-chart');

  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 60_000 });
  await page.getByRole('table', { name: 'Run history' }).scrollIntoViewIfNeeded();
  await expect(page.getByRole('table', { name: 'Run history' })).toContainText('e2e-run');
  await app.screenshot('training-cancelled');
});

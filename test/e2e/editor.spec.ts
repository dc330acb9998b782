/**
 * Issue 23, as a first-hour user of the browser host would go (real Chromium, services, ORT, ffmpeg):
 * a photo and a song the project never saw, imported with the file picker; beat edits (½x on one selected beat,
 * Escape, Ctrl+Z/Ctrl+Y); two generated segments watched in the preview monitor in step with the playhead;
 * an export at 4x, 9:16 crop, trimmed to the song (checked with ffprobe); the export dropped back in recalls its
 * settings without touching the song or the user's beat; a reload reopens the project. Plus the start screen's
 * drop and a text file named .png. Zero console errors throughout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, SCREENSHOT_DIR } from './fixtures';
import { ensureTestPack } from '../fixtures/inference/test-pack';
import { validatePack } from '../../electron/services/inference/pack-validator';

const FPS = 12;
const K = 48;
/** 7.3 s: two segments, the second runs 0.7 s past the music (the export must stop at the song's end). */
const SONG_SEC = 7.3;
const TEST_STEPS = 3;
const ffmpegBin = process.env.MUSEDANCE_FFMPEG ?? 'ffmpeg';
const ffprobeBin = process.env.MUSEDANCE_FFPROBE ?? 'ffprobe';

/** A photo (skimage's astronaut, a real photograph) and a song made now: 112 BPM kick + bass + a chord pad. */
function makeMedia(dir: string): { photo: string; song: string } {
  const photo = path.join(dir, 'astronaut photo.png');
  execFileSync('/usr/bin/python3', ['-c', `import skimage.data, skimage.io; skimage.io.imsave(${JSON.stringify(photo)}, skimage.data.astronaut())`]);
  const song = path.join(dir, 'night drive.wav');
  const beat = 60 / 112;
  const expr = `0.7*sin(2*PI*(50+90*exp(-30*mod(t,${beat})))*t)*exp(-9*mod(t,${beat}))+0.12*sin(2*PI*110*t)+0.08*sin(2*PI*277.2*t)*(0.6+0.4*sin(2*PI*0.25*t))+0.06*sin(2*PI*329.6*t)`;
  execFileSync(ffmpegBin, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=exprs='${expr}':s=44100:d=${SONG_SEC}`, '-ac', '2', '-c:a', 'pcm_s16le', song]);
  return { photo, song };
}

/** Console errors and page errors from now on. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

async function pick(page: Page, names: string[], into: string[] = []): Promise<void> {
  const picker = page.getByTestId('file-picker');
  await expect(picker).toBeVisible();
  for (const folder of into) await picker.locator(`[data-testid="picker-entry"][data-name="${folder}"]`).click();
  for (const name of names) await picker.locator(`[data-testid="picker-entry"][data-name="${name}"]`).click();
  await picker.getByTestId('picker-choose').click();
  await expect(picker).toBeHidden();
}

/** Seconds shown by the timeline clock ("0:02.05 / 0:07.30"). */
async function clockSec(page: Page): Promise<number> {
  const [m, s] = (await page.getByTestId('timeline-clock').innerText()).split(' / ')[0]!.split(':');
  return Number(m) * 60 + Number(s);
}

const beatCount = async (page: Page) => Number(/^(\d+) beats/.exec(await page.getByTestId('beat-summary').innerText())![1]);

test('photo + new song by picker, beat edits, two segments in the monitor, 4x 9:16 export trimmed to the song, recall', async ({ app }) => {
  test.setTimeout(600_000);
  const { page, workDir } = app;
  process.env.MUSEDANCE_BROWSE_ROOTS = workDir;
  const bundled = path.resolve('assets/models/musedance-tiny');
  if (!(fs.existsSync(bundled) && (await validatePack(bundled)).report.valid)) process.env.MUSEDANCE_PACK_DIRS = await ensureTestPack(K);
  const { song } = makeMedia(workDir);
  const errors = watchErrors(page);
  await page.reload(); // the favicon request of a fresh load is watched too

  // A new project in a folder chosen with the picker (a fresh folder inside the shared root).
  const dir = path.join(workDir, 'dance');
  fs.mkdirSync(dir);
  await page.getByTestId('empty-browse').click();
  await app.screenshot('editor-1-picker');
  await pick(page, ['dance']);
  await expect(page.getByLabel('Project folder')).toHaveValue(dir);
  await page.getByRole('button', { name: 'New' }).click();
  await expect(page.getByTestId('media-panel')).toBeVisible();

  // Photo and song with the picker (several files at once); the photo is framed in the crop dialog.
  await page.getByTestId('media-pick').click();
  await pick(page, ['astronaut photo.png', 'night drive.wav']);
  const crop = page.getByTestId('crop-dialog');
  await expect(crop).toContainText('astronaut photo.png');
  await crop.getByRole('button', { name: 'Use this crop' }).click();
  await expect(page.getByTestId('media-song-name')).toContainText('night drive.wav', { timeout: 60_000 });
  await expect(page.getByTestId('media-image-name')).toContainText('astronaut photo.png');
  await expect(page.getByTestId('beat-summary')).toContainText('BPM', { timeout: 60_000 });

  // Beat edits: select one beat, nudge it (a user beat now), ½x keeps it and halves around it, Escape, undo/redo.
  const all = await beatCount(page);
  expect(all).toBeGreaterThan(6);
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect(page.getByTestId('beat-summary')).toContainText('1 selected');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+H');
  const halved = await beatCount(page);
  expect(halved).toBeLessThanOrEqual(Math.ceil(all / 2) + 1);
  expect(halved).toBeGreaterThan(2);
  await expect(page.getByTestId('beat-summary')).toContainText('1 selected');
  await expect(page.getByTestId('beat-summary')).toContainText(/BPM \(edited; \d+\.\d detected\)/); // the label follows the edit
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('beat-summary')).not.toContainText('selected');
  await page.keyboard.press('Control+Z');
  await expect.poll(() => beatCount(page)).toBe(all);
  await page.keyboard.press('Control+Y');
  await expect.poll(() => beatCount(page)).toBe(halved);

  // Two segments.
  await expect(page.getByTestId('generate-provider')).toContainText(/CPU|CUDA/, { timeout: 30_000 });
  await expect(page.getByTestId('generate-provider')).not.toContainText(/OrtSession|shared library/);
  await expect(page.getByTestId('pack-badge')).toBeVisible();
  await page.getByTestId('generate-steps').fill(String(TEST_STEPS));
  await expect(page.getByTestId('generate-all')).toHaveText('Generate all remaining (2)');
  await page.getByTestId('generate-all').click();
  await expect(page.getByTestId('generate-progress')).toHaveCount(0, { timeout: 400_000 });
  await expect(page.getByTestId('generate-segment-2').getByTestId('take-chip-1')).toBeVisible();

  // The monitor plays the assembled takes in step with the playhead: scrubbing, frame steps, playing.
  const video = page.getByTestId('monitor-video');
  await expect(video).toBeAttached({ timeout: 60_000 });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(2);
  // The song's playhead (wavesurfer's clock, on the timeline host) and the monitor's video, read together.
  const lag = () =>
    page.evaluate(() => {
      const playhead = Number((document.querySelector('[data-testid="timeline-host"]') as HTMLElement).dataset.playhead);
      const shown = (document.querySelector('[data-testid="monitor-video"]') as HTMLVideoElement).currentTime;
      return Math.abs(shown - playhead);
    });
  const scrub = page.getByTestId('monitor-scrub');
  const box = (await scrub.boundingBox())!;
  for (const fraction of [0.1, 0.45, 0.8]) {
    await page.mouse.click(box.x + box.width * fraction, box.y + box.height / 2);
    await expect.poll(lag).toBeLessThanOrEqual(1 / FPS);
  }
  // Zooming keeps the playhead where it is on screen (it used to zoom about the view's centre).
  const playheadX = () =>
    page.evaluate(() => {
      const c = document.querySelector('[data-testid="timeline-canvas"]') as HTMLCanvasElement;
      const t = Number((document.querySelector('[data-testid="timeline-host"]') as HTMLElement).dataset.playhead);
      return (t - Number(c.dataset.startSec)) * Number(c.dataset.pxPerSec);
    });
  const x0 = await playheadX();
  await page.keyboard.press('=');
  await page.keyboard.press('=');
  await expect.poll(() => page.getByTestId('timeline-canvas').evaluate((c: HTMLCanvasElement) => Number(c.dataset.pxPerSec))).toBeGreaterThan(100);
  expect(Math.abs((await playheadX()) - x0)).toBeLessThan(4);
  const before = await clockSec(page);
  await page.getByTestId('monitor-frame-forward').click();
  await expect.poll(() => clockSec(page)).toBeGreaterThan(before);
  expect(await lag()).toBeLessThanOrEqual(1 / FPS);
  await page.mouse.click(box.x + 2, box.y + box.height / 2);
  await page.keyboard.press('L');
  await expect(page.getByTestId('monitor-play')).toHaveAttribute('aria-label', 'Pause');
  for (let i = 0; i < 4; i++) {
    await page.waitForTimeout(250);
    expect(await lag()).toBeLessThanOrEqual(1 / FPS);
  }
  await page.keyboard.press('K');
  await expect(page.getByTestId('monitor-play')).toHaveAttribute('aria-label', 'Play');
  expect(await lag()).toBeLessThanOrEqual(1 / FPS);
  await page.getByTestId('preview-monitor').screenshot({ path: path.join(SCREENSHOT_DIR, 'editor-2-monitor.png') });

  // Export: 4x, 9:16 crop, stop at the song's end.
  await page.getByTestId('generate-export').click();
  const dialog = page.getByTestId('export-dialog');
  await dialog.getByTestId('export-size-4').click();
  await dialog.getByTestId('export-aspect-9x16').click();
  await dialog.getByTestId('export-fit-crop').click();
  await expect(dialog.getByTestId('export-trim')).toBeChecked();
  const songSec = Number(execFileSync(ffprobeBin, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', song]).toString());
  const frames = Math.ceil(songSec * FPS - 1e-6);
  await expect(dialog.getByTestId('export-summary')).toContainText(`2 takes → 144×256 (9:16 crop), ${frames} frames`);
  await app.screenshot('editor-3-export-dialog');
  await dialog.getByTestId('export-run').click();
  await expect(page.getByTestId('generate-exported')).toBeVisible({ timeout: 120_000 });
  const out = (await page.getByTestId('generate-exported').innerText()).match(/to (\/.+\.mp4)/)![1]!;
  const probe = JSON.parse(execFileSync(ffprobeBin, ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', out]).toString());
  const v = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  expect(v).toMatchObject({ width: 144, height: 256, nb_read_frames: String(frames) });
  expect(probe.streams.some((s: { codec_type: string }) => s.codec_type === 'audio')).toBe(true);
  expect(Math.abs(Number(probe.format.duration) - songSec)).toBeLessThanOrEqual(1 / FPS);

  // The export comes back in: its settings are offered, the song and the user's beat stay.
  await page.getByTestId('media-pick').click();
  await pick(page, [path.basename(out)], ['dance', 'exports']);
  const recall = page.getByTestId('recalled-settings');
  await expect(recall).toBeVisible({ timeout: 30_000 });
  await expect(recall.getByTestId('recall-export-summary')).toContainText('MP4 4x, 9:16 crop, trimmed to the song');
  await recall.getByTestId('recall-export').click();
  await recall.getByRole('button', { name: 'Apply prompts and seeds' }).click();
  await expect(recall).toBeHidden();
  await expect(page.getByTestId('media-song-name')).toContainText('night drive.wav');
  expect(await beatCount(page)).toBe(halved);
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('project-title')).not.toContainText('•');
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8'));
  expect(saved.song.originalName).toBe('night drive.wav');
  expect(saved.beats.filter((b: { source: string }) => b.source === 'user').length).toBeGreaterThanOrEqual(1);

  // A reload reopens the project.
  await page.reload();
  await expect(page.getByTestId('media-song-name')).toContainText('night drive.wav', { timeout: 30_000 });
  // ... with the QA of its takes (they used to be missing after a reopen), identity measured on the subject.
  await expect(page.getByTestId('generate-segment-2').getByTestId('segment-qa')).toContainText(/identity \(subject\) \d\.\d\d|SSIM \(whole frame\)/, { timeout: 30_000 });
  expect(errors).toEqual([]);
});

/** Drops files on the window the way a file manager does. */
async function dropFiles(page: Page, files: { name: string; type: string; file: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: fs.readFileSync(f.file).toString('base64') }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const item of items) dt.items.add(new File([Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0))], item.name, { type: item.type }));
    for (const type of ['dragenter', 'dragover', 'drop']) window.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

test('dropping on the start screen makes a project; a text file named .png is refused as not an image', async ({ app }) => {
  const { page, workDir } = app;
  process.env.MUSEDANCE_BROWSE_ROOTS = workDir;
  const errors = watchErrors(page);
  const { photo } = makeMedia(workDir);
  const fake = path.join(workDir, 'holiday.png');
  fs.writeFileSync(fake, 'this is a shopping list, not a picture\n');

  await dropFiles(page, [
    { name: 'holiday.png', type: 'image/png', file: fake },
    { name: 'astronaut photo.png', type: 'image/png', file: photo },
  ]);
  await expect(page.getByTestId('empty-dropped')).toContainText('holiday.png and astronaut photo.png');
  await expect(page.getByLabel('Project folder')).toHaveValue(path.join(workDir, 'MuseDance', 'holiday'));
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Cannot use holiday.png as the reference image' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('crop-dialog')).toContainText('astronaut photo.png');
  await page.getByTestId('crop-dialog').getByRole('button', { name: 'Use this crop' }).click();
  await expect(page.getByTestId('media-image-name')).toContainText('astronaut photo.png', { timeout: 60_000 });
  expect(fs.existsSync(path.join(workDir, 'MuseDance', 'holiday', 'project.json'))).toBe(true);
  expect(errors).toEqual([]);
});

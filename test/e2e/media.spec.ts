/**
 * Media import in the real renderer (Chromium, browser host, real ffmpeg): an image and a song picked or
 * dropped onto the window land in the project (content-hashed), with a progress bar, a working Cancel, and
 * clear messages for files that are not media.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

const ffmpeg = (...args: string[]) => execFileSync(process.env.MUSEDANCE_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);

async function newProject(page: Page, dir: string): Promise<void> {
  await page.getByTestId('project-menu').click();
  await page.getByRole('menuitem', { name: /New project/ }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('project-folder-input').fill(dir);
  await dialog.getByLabel('Name').fill('Media e2e');
  await dialog.getByRole('button', { name: /^Create$/ }).click();
  await expect(page.getByTestId('media-panel')).toBeVisible();
}

/** Drops files on the window the way a file manager does (a DataTransfer with File objects). */
async function dropFiles(page: Page, files: { name: string; type: string; file: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: fs.readFileSync(f.file).toString('base64') }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], item.name, { type: item.type }));
    }
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

test('an image and a song dropped together are imported into the project, undoably', async ({ app }) => {
  const { page, workDir } = app;
  const image = path.join(workDir, 'dancer.png');
  const song = path.join(workDir, 'beat ♪.wav');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=640x480', '-frames:v', '1', image);
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=220:d=3', song);
  const dir = path.join(workDir, 'drop-project');
  await newProject(page, dir);

  await dropFiles(page, [
    { name: 'dancer.png', type: 'image/png', file: image },
    { name: 'beat ♪.wav', type: 'audio/wav', file: song },
  ]);
  // The picture comes first: the crop dialog shows it with the largest centred square; move the box right.
  const cropDialog = page.getByTestId('crop-dialog');
  await expect(cropDialog).toContainText('Frame the dancer in dancer.png');
  const cropBox = page.getByTestId('crop-box');
  await expect(cropBox).toHaveAttribute('aria-valuetext', '480x480 at 80, 0');
  await cropBox.focus();
  await page.keyboard.press('Shift+ArrowRight');
  await expect(cropBox).toHaveAttribute('aria-valuetext', '480x480 at 160, 0'); // clamped at the right edge
  await app.screenshot('media-crop');
  await cropDialog.getByRole('button', { name: 'Use this crop' }).click();
  await expect(page.getByTestId('media-image-name')).toContainText('dancer.png');
  await expect(page.getByTestId('media-song-name')).toContainText('beat ♪.wav');
  // The thumbnail is the prepared 512x512 image served from the project.
  const thumb = page.getByTestId('media-reference-thumb').locator('img');
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
  const stored = fs.readdirSync(path.join(dir, 'media'));
  expect(stored.filter((n) => /^[0-9a-f]{64}\.(png|wav)$/.test(n)).length).toBeGreaterThanOrEqual(3); // original image, prepared image, song
  expect(stored.some((n) => n.endsWith('.mono16k.wav'))).toBe(true);
  expect(fs.readdirSync(path.join(dir, 'cache', 'uploads'))).toEqual([]);
  await app.screenshot('media-import');

  // Undo walks back through the edits: other features may add their own after the song (beat detection),
  // so undo until the song is gone; the image, imported before it, is still there.
  const songName = page.getByTestId('media-song-name');
  for (let i = 0; i < 4 && !(await songName.textContent())?.includes('drop any audio file'); i++) {
    await page.keyboard.press('Control+Z');
    await page.waitForTimeout(300);
  }
  await expect(songName).toContainText('drop any audio file');
  await expect(page.getByTestId('media-image-name')).toContainText('dancer.png');
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('media-image-name')).toContainText('drop a PNG, JPEG or WebP');
});

test('Cancel stops a long import; a file that is not media is refused with a reason and the next file still goes in', async ({ app }) => {
  const { page, workDir } = app;
  const notes = path.join(workDir, 'notes.mp3');
  fs.writeFileSync(notes, 'not really an mp3\n');
  const longSong = path.join(workDir, 'long.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=150', '-ac', '2', longSong); // ~26 MB: many upload chunks
  const shortSong = path.join(workDir, 'short.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:d=2', shortSong);
  await newProject(page, path.join(workDir, 'refuse-project'));

  await page.getByTestId('media-file-input').setInputFiles(longSong);
  await expect(page.getByTestId('media-import-progress')).toBeVisible();
  await page.getByTestId('media-import-progress').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('media-import-progress')).toBeHidden();
  await expect(page.getByTestId('notice').last()).toContainText('Import cancelled.');
  await expect(page.getByTestId('media-song-name')).toContainText('drop any audio file');

  await dropFiles(page, [
    { name: 'notes.mp3', type: 'audio/mpeg', file: notes },
    { name: 'short.wav', type: 'audio/wav', file: shortSong },
  ]);
  await expect(page.getByTestId('notice').filter({ hasText: 'notes.mp3 is not a media file ffmpeg can read' })).toHaveCount(1);
  await expect(page.getByTestId('media-song-name')).toContainText('short.wav');
});

test('dropping an exported MP4 recalls its generation settings', async ({ app }) => {
  const { page, workDir } = app;
  const frames = path.join(workDir, 'frames');
  fs.mkdirSync(frames);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=64x64:r=12', '-frames:v', '12', '-start_number', '1', path.join(frames, '%06d.png'));
  const out = path.join(workDir, 'take.mp4');
  const settings = { packId: 'tiny-pack', beatsHash: 'b'.repeat(64), fps: 12, segments: [{ startFrame: 0, frames: 12, prompt: 'a robot moonwalks', seed: 1234 }] };
  const exported = await app.studio.registry.dispatch('media.export', { framesDir: frames, fps: 12, format: 'mp4', out, settings });
  expect(exported.ok).toBe(true);
  await newProject(page, path.join(workDir, 'recall-project'));

  await dropFiles(page, [{ name: 'take.mp4', type: 'video/mp4', file: out }]);
  const dialog = page.getByTestId('recalled-settings');
  await expect(dialog).toContainText('Settings recalled from take.mp4');
  await expect(dialog).toContainText('tiny-pack');
  await expect(dialog).toContainText('a robot moonwalks');
  await expect(dialog).toContainText('1234');
  await app.screenshot('media-recalled-settings');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  // The export's own silent track was not imported as the song.
  await expect(page.getByTestId('media-song-name')).toContainText('drop any audio file');
});

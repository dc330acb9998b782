/**
 * The timeline on a real song: a 120 BPM click track made by ffmpeg, imported and analysed by the real
 * services, edited in Chromium through the real renderer (canvas gestures, shortcuts, dialogs).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { makeClickTrack, projectWithSong } from './support/song-project';
import { openProjectFromEmptyState } from './support/open-project';

const BPM = 120;
const SONG_SEC = 12;
/** Lane centres (CSS px from the top of the timeline canvas); see renderer/src/features/timeline/lane-layout.ts. */
const Y = { beatLane: 33, wave: 100, segments: 217 };

async function openSongProject(app: { page: Page; workDir: string; studio: { registry: Parameters<typeof projectWithSong>[0] } }) {
  const song = makeClickTrack(path.join(app.workDir, 'click-120bpm.wav'), { bpm: BPM, seconds: SONG_SEC });
  const dir = path.join(app.workDir, 'dance');
  await projectWithSong(app.studio.registry, dir, song);
  await openProjectFromEmptyState(app.page, dir, app.page.getByTestId('timeline-canvas'));
  return dir;
}

const beatCount = async (page: Page) => Number((await page.getByTestId('beat-summary').innerText()).match(/^(\d+) beats/)![1]);
const said = (page: Page) => page.getByTestId('timeline-live');

/** Page x of a song time, from the window the canvas reports. */
async function xOf(page: Page, timeSec: number): Promise<number> {
  const v = await page.getByTestId('timeline-canvas').evaluate((c: HTMLCanvasElement) => ({ start: Number(c.dataset.startSec), px: Number(c.dataset.pxPerSec), left: c.getBoundingClientRect().left }));
  return v.left + (timeSec - v.start) * v.px;
}
const yOf = async (page: Page, laneY: number) => (await page.getByTestId('timeline-canvas').boundingBox())!.y + laneY;
const timeSaid = async (page: Page) => Number((await said(page).innerText()).match(/ at ([\d.]+) s/)![1]);

test('the analysed song: detected beats on the click track, frame one-hot, playback with metronome, segment prompts', async ({ app }) => {
  const { page } = app;
  const dir = await openSongProject(app);
  await expect(page.getByTestId('beat-summary')).toContainText(/\d+ beats · 1[12]\d\.\d BPM detected/);
  const n = await beatCount(page);
  expect(n).toBeGreaterThanOrEqual(SONG_SEC * 2 - 2);
  expect(n).toBeLessThanOrEqual(SONG_SEC * 2 + 1);
  // Segment 1 covers 0-4 s: beats every 0.5 s land on every 6th frame at 12 fps.
  const oneHot = (await page.getByTestId('one-hot-row').getAttribute('data-onehot'))!;
  expect(oneHot).toHaveLength(48);
  const ones = [...oneHot].flatMap((c, i) => (c === '1' ? [i] : []));
  expect(ones.length).toBeGreaterThanOrEqual(7);
  for (const f of ones) expect(Math.min(f % 6, 6 - (f % 6))).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('segment-hint')).toContainText('3 segments of 48 frames');
  await app.screenshot('timeline-1280x720');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.getByTestId('timeline-canvas')).toBeVisible();
  await page.waitForTimeout(300);
  await app.screenshot('timeline-1920x1080');

  // Playback of the project's song moves the playhead; with the metronome on, clicks are scheduled on beats.
  await page.keyboard.press('M');
  await expect(page.getByRole('button', { name: /Metronome/ })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('timeline-clock')).not.toContainText(/^0:00\.00 /, { timeout: 20_000 });
  await expect.poll(async () => Number(await page.getByTestId('timeline-host').getAttribute('data-metronome-clicks')), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play / pause' })).toBeVisible();

  // Tap tempo (T every 500 ms; paused, so timed from the playhead), then apply the tapped grid (Shift+T).
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('T');
    await page.waitForTimeout(500);
  }
  const apply = page.getByRole('button', { name: /Apply tapped tempo/ });
  await expect(apply).toContainText(/Use \d+\.\d BPM/);
  // (The fit itself is unit-tested; on a loaded machine the test's own tap timing is too loose to pin the BPM.)
  const tappedBpm = Number((await apply.innerText()).match(/([\d.]+) BPM/)![1]);
  expect(tappedBpm).toBeGreaterThan(20);
  const before = await beatCount(page);
  await page.keyboard.press('Shift+T');
  await expect(apply).toBeHidden();
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('notice').last()).toContainText('Undid: Apply tapped tempo');
  await expect(page.getByTestId('beat-summary')).toContainText(`${before} beats`);

  // Segment prompts: one segment, then one prompt for a Shift+click range; undo/redo; saved in project.json.
  await page.mouse.click(await xOf(page, 6), await yOf(page, Y.segments));
  const prompt = page.getByLabel('Prompt for segment 2');
  await prompt.fill('a dancer spins under neon light');
  await prompt.blur();
  await page.mouse.click(await xOf(page, 1), await yOf(page, Y.segments));
  await page.keyboard.down('Shift');
  await page.mouse.click(await xOf(page, 10), await yOf(page, Y.segments));
  await page.keyboard.up('Shift');
  const range = page.getByLabel('Prompt for segments 1–3');
  await expect(range).toHaveValue('');
  await range.fill('chorus: arms up, jump on every beat');
  await range.blur();
  await page.mouse.click(await xOf(page, 6), await yOf(page, Y.segments));
  await expect(page.getByLabel('Prompt for segment 2')).toHaveValue('chorus: arms up, jump on every beat');
  await app.screenshot('timeline-segment-prompt');
  await page.keyboard.press('Control+Z');
  await expect(page.getByLabel('Prompt for segment 2')).toHaveValue('a dancer spins under neon light');
  await page.keyboard.press('Control+Shift+Z');
  await expect(page.getByLabel('Prompt for segment 2')).toHaveValue('chorus: arms up, jump on every beat');
  // Segments from the keyboard: '.' and ',' step the selection (and the playhead) like ']' and '[' do for beats.
  await page.keyboard.press('.');
  await expect(page.getByLabel('Prompt for segment 3')).toBeVisible();
  await page.keyboard.press(',');
  await page.keyboard.press(',');
  await expect(page.getByLabel('Prompt for segment 1')).toBeVisible();
  await page.keyboard.press(',');
  await expect(page.getByLabel('Prompt for segment 1')).toBeVisible();
  // The edits are project state: saved into project.json with the segments and beats.
  await page.keyboard.press('Control+S');
  await expect
    .poll(() => {
      const saved = JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8'));
      return [saved.segments.map((s: { prompt: string }) => s.prompt), saved.beats.length > 20, saved.segments[0]?.frames];
    })
    .toEqual([['chorus: arms up, jump on every beat', 'chorus: arms up, jump on every beat', 'chorus: arms up, jump on every beat'], true, 48]);
});

test('add, move (snapping to onsets unless Alt), delete and undo beat markers; halve tempo', async ({ app }) => {
  const { page } = app;
  await openSongProject(app);
  await expect(page.getByTestId('beat-summary')).toContainText('BPM detected');
  const n = await beatCount(page);
  // Zoom in around the start with the wheel so frames are wide.
  await page.mouse.move(await xOf(page, 0.02), await yOf(page, Y.wave));
  await page.mouse.wheel(0, -500);
  await expect.poll(async () => Number(await page.getByTestId('timeline-canvas').getAttribute('data-px-per-sec'))).toBeGreaterThan(180);

  // Click on the empty beat lane between two clicks (Alt: exactly where clicked) -> a user beat.
  await page.keyboard.down('Alt');
  await page.mouse.click(await xOf(page, 1.25), await yOf(page, Y.beatLane));
  await page.keyboard.up('Alt');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n + 1} beats`);
  await expect(said(page)).toContainText('user');
  expect(Math.abs((await timeSaid(page)) - 1.25)).toBeLessThan(0.01);
  await expect(said(page)).toContainText('frame 15');

  // Drag it towards 1.47 s: it snaps onto the click onset at 1.5 s.
  const drag = async (fromSec: number, toSec: number) => {
    await page.mouse.move(await xOf(page, fromSec), await yOf(page, Y.beatLane));
    await page.mouse.down();
    const target = await xOf(page, toSec);
    await page.mouse.move(target, await yOf(page, Y.beatLane), { steps: 8 });
    await page.mouse.up();
  };
  await drag(1.25, 1.47);
  await expect.poll(() => timeSaid(page)).not.toBeCloseTo(1.25, 2);
  expect(Math.abs((await timeSaid(page)) - 1.5)).toBeLessThan(0.03);

  // Undo puts it back; dragging with Alt held does not snap.
  await page.keyboard.press('Control+Z');
  await expect.poll(() => timeSaid(page)).toBeCloseTo(1.25, 2);
  await page.keyboard.down('Alt');
  await drag(1.25, 1.4);
  await page.keyboard.up('Alt');
  await expect.poll(() => timeSaid(page)).toBeCloseTo(1.4, 1);
  expect(Math.abs((await timeSaid(page)) - 1.4)).toBeLessThan(0.012);

  // Arrow keys nudge by one frame (1/12 s), Alt+arrow by 10 ms.
  const before = await timeSaid(page);
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => timeSaid(page)).toBeCloseTo(before + 1 / 12, 3);
  await page.keyboard.press('Alt+ArrowLeft');
  await expect.poll(() => timeSaid(page)).toBeCloseTo(before + 1 / 12 - 0.01, 3);

  // Delete removes it; undo restores it.
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n} beats`);
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n + 1} beats`);

  // Keyboard reach: ] and [ walk the markers and say where each lands.
  await page.getByTestId('timeline-canvas').focus();
  await page.keyboard.press(']');
  await expect(said(page)).toContainText(/Beat \d+ of \d+ at [\d.]+ s, frame \d+/);

  // Box-select two seconds of beats and delete them in one step.
  await page.mouse.move(await xOf(page, 2.9), await yOf(page, Y.wave));
  await page.mouse.down();
  await page.mouse.move(await xOf(page, 4.1), await yOf(page, Y.wave + 30), { steps: 5 });
  await page.mouse.up();
  await expect(said(page)).toContainText('3 beats selected');
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n - 2} beats`);
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n + 1} beats`);

  // Halve tempo (nothing selected: the whole song), then undo.
  await page.mouse.click(await xOf(page, 0.3), await yOf(page, Y.wave));
  await expect(said(page)).toContainText('No beat selected');
  await page.keyboard.press('Shift+H');
  await expect(page.getByTestId('beat-summary')).toContainText(`${Math.ceil((n + 1) / 2)} beats`);
  await app.screenshot('timeline-halved');
  await page.keyboard.press('Control+Z');
  await expect(page.getByTestId('beat-summary')).toContainText(`${n + 1} beats`);

  // Re-detect a boxed region: the service puts the click beats back (the hand-placed beat at 1.4 s goes).
  await page.mouse.move(await xOf(page, 0.8), await yOf(page, Y.wave));
  await page.mouse.down();
  await page.mouse.move(await xOf(page, 2.2), await yOf(page, Y.wave), { steps: 5 });
  await page.mouse.up();
  await page.keyboard.press('R');
  await expect(page.getByTestId('notice').last()).toContainText(/Re-detected \d+ beats/);
  await expect(page.getByTestId('beat-summary')).toContainText(`${n} beats`);
});

test('beat markers export to Audacity, CSV and FCPXML and re-import identical; a broken file is refused clearly', async ({ app }) => {
  const { page } = app;
  await openSongProject(app);
  await expect(page.getByTestId('beat-summary')).toContainText('BPM detected');
  // Make the set interesting: one anchored user beat.
  await page.keyboard.down('Alt');
  await page.mouse.click(await xOf(page, 2.2), await yOf(page, Y.beatLane));
  await page.keyboard.up('Alt');
  await page.keyboard.press('A');
  await expect(said(page)).toContainText('user, anchored');
  const n = await beatCount(page);

  const exportAs = async (label: RegExp): Promise<{ text: string; file: string }> => {
    await page.keyboard.press('Control+E');
    const dialog = page.getByRole('dialog', { name: 'Export beat markers' });
    await dialog.getByLabel('Format').click();
    await page.getByRole('option', { name: label }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
    const file = path.join(app.workDir, download.suggestedFilename());
    await download.saveAs(file);
    return { text: fs.readFileSync(file, 'utf8'), file };
  };
  const importFile = async (file: string | { name: string; mimeType: string; buffer: Buffer }) => {
    await page.keyboard.press('Control+I');
    await page.getByRole('dialog', { name: 'Import beat markers' }).getByTestId('marker-file').setInputFiles(file);
  };

  for (const [label, ext] of [[/Audacity/, 'txt'], [/CSV/, 'csv'], [/Final Cut/, 'fcpxml']] as const) {
    const first = await exportAs(label);
    expect(first.file.endsWith(`.${ext}`)).toBe(true);
    await importFile(first.file);
    await expect(page.getByTestId('notice').last()).toContainText(`Imported ${n} beat markers`);
    expect(await beatCount(page)).toBe(n);
    const second = await exportAs(label);
    expect(second.text).toBe(first.text);
  }
  expect(fs.readFileSync(path.join(app.workDir, 'Timeline_test-beats.txt'), 'utf8')).toMatch(/^\d+\.\d{6}\t\d+\.\d{6}\tbeat 1 detected\n/);

  await importFile({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('Foo,Bar\n1,2\n') });
  await expect(page.getByTestId('marker-import-error')).toContainText('no "Start"');
  await app.screenshot('timeline-import-error');
  await page.getByRole('button', { name: 'Close' }).click();
  expect(await beatCount(page)).toBe(n);

  // Merge instead of replace: two labels, one on an existing beat (it replaces that beat), one between beats.
  const t0 = Number(fs.readFileSync(path.join(app.workDir, 'Timeline_test-beats.txt'), 'utf8').split('\t')[0]);
  const labels = `${t0.toFixed(6)}\t${t0.toFixed(6)}\tdownbeat\n0.250000\t0.250000\toffbeat\n`;
  await page.keyboard.press('Control+I');
  const dialog = page.getByRole('dialog', { name: 'Import beat markers' });
  await dialog.getByTestId('marker-merge').check();
  await app.screenshot('timeline-import-merge');
  await dialog.getByTestId('marker-file').setInputFiles({ name: 'extra.txt', mimeType: 'text/plain', buffer: Buffer.from(labels) });
  await expect(page.getByTestId('notice').last()).toContainText('Merged 2 beat markers');
  expect(await beatCount(page)).toBe(n + 1);
  await page.keyboard.press('Control+Z');
  await expect.poll(() => beatCount(page)).toBe(n);
});

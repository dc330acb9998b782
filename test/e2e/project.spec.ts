/**
 * Projects in the real renderer (Chromium, browser host, real services): the Project menu's New / Save /
 * Close / Recent, crash recovery with the differences shown, read-only when another instance has the project,
 * and the unsaved-changes prompt with autosave writing the recovery copy.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { MediaRoots } from '../../electron/services/media-roots';
import { ProjectService } from '../../electron/services/projects/project-service';
import { test, expect } from './fixtures';
import { makeClickTrack, projectWithSong } from './support/song-project';

const menu = async (page: Page, item: string | RegExp) => {
  await page.getByTestId('project-menu').click();
  await page.getByRole('menuitem', { name: item }).first().click();
};

const chooseFolder = async (page: Page, dir: string, name?: string) => {
  const dialog = page.getByRole('dialog');
  await dialog.getByTestId('project-folder-input').fill(dir);
  if (name !== undefined) await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: /^(Create|Open|Save)$/ }).click();
};

const otherInstance = (dataDir: string) => new ProjectService({ appVersion: 'e2e', dataDir, media: new MediaRoots() });

test('new, save, close and reopen from Recent through the Project menu', async ({ app }) => {
  const { page } = app;
  const dir = path.join(app.workDir, 'menu-project');
  await menu(page, /New project/);
  await chooseFolder(page, dir, 'Menu made');
  await expect(page.getByTestId('project-title')).toHaveText('Menu made');
  expect(fs.existsSync(path.join(dir, 'project.json'))).toBe(true);
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('notice').last()).toContainText('Saved "Menu made"');
  await menu(page, 'Close project');
  await expect(page.getByTestId('project-title')).toHaveText('No project');
  expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
  await page.getByTestId('project-menu').click();
  await page.getByRole('menuitem', { name: /Menu made/ }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Menu made');
});

test('after a crash, opening offers the newer autosave, shows what differs, and restores it', async ({ app }) => {
  const { page } = app;
  const dir = path.join(app.workDir, 'crashed');
  const before = otherInstance(path.join(app.workDir, 'other-data'));
  const { project } = await before.create(dir, 'Before the crash');
  await before.save({ ...project, name: 'Saved by hand' }, 1, false);
  const beats = Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, timeSec: i, source: 'user' as const, anchored: false }));
  await before.save({ ...project, name: 'Unsaved work', beats }, 2, true);
  // The other studio "dies" without closing: its lock names a process that no longer exists.
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'project.lock'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'project.lock'), JSON.stringify({ ...lock, pid: spawnSync(process.execPath, ['-e', '0']).pid, instanceId: 'crashed' }));

  await menu(page, /Open project/);
  await chooseFolder(page, dir);
  const dialog = page.getByRole('dialog', { name: 'Recover project' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('recovery-saved')).toContainText('Saved by hand');
  await expect(dialog.getByTestId('recovery-candidate-autosave')).toContainText('Beat markers: 0 → 5 (5 added)');
  await expect(dialog.getByTestId('recovery-candidate-autosave')).toContainText('(recommended)');
  await app.screenshot('project-recovery-dialog');
  await dialog.getByRole('button', { name: 'Restore selected' }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Unsaved work');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).beats).toHaveLength(5);
});

test('a project open in another instance opens read-only with a message', async ({ app }) => {
  const { page } = app;
  const dir = path.join(app.workDir, 'busy');
  const holder = otherInstance(path.join(app.workDir, 'other-data'));
  await holder.create(dir, 'Held elsewhere');
  await menu(page, /Open project/);
  await chooseFolder(page, dir);
  await expect(page.getByTestId('project-title')).toHaveText('Held elsewhere');
  await expect(page.getByTestId('notice').last()).toContainText('open in another MuseDance Studio');
  await holder.dispose();
});

test('edits are autosaved to the recovery copy, and closing with unsaved changes asks first', async ({ app }) => {
  const { page } = app;
  const song = makeClickTrack(path.join(app.workDir, 'click.wav'), { bpm: 120, seconds: 6 });
  const dir = path.join(app.workDir, 'edited');
  await projectWithSong(app.studio.registry, dir, song);
  await menu(page, /Open project/);
  await chooseFolder(page, dir);
  await expect(page.getByTestId('timeline-canvas')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('beat-summary')).toContainText(/\d+ beats/, { timeout: 60_000 });
  // A click in the beat lane adds a user beat (lane at 33 px from the canvas top, see timeline lane-layout.ts).
  const box = (await page.getByTestId('timeline-canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.3, box.y + 33);
  await expect(page.getByTestId('project-title')).toHaveText(/•$/);
  // Autosave writes project.autosave.json a moment after the edit; project.json is untouched.
  await expect.poll(() => fs.existsSync(path.join(dir, 'project.autosave.json')), { timeout: 15_000 }).toBe(true);
  await menu(page, 'Close project');
  const prompt = page.getByRole('dialog', { name: /Save changes to/ });
  await expect(prompt).toBeVisible();
  await app.screenshot('project-unsaved-prompt');
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('project-title')).toHaveText(/•$/);
  await menu(page, 'Close project');
  await page.getByRole('dialog', { name: /Save changes to/ }).getByRole('button', { name: "Don't save" }).click();
  await expect(page.getByTestId('project-title')).toHaveText('No project');
  expect(fs.existsSync(path.join(dir, 'project.autosave.json'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
});

test('a damaged project.json is refused with a clear error, and the recovery dialog restores the last backup', async ({ app }) => {
  const { page } = app;
  const dir = path.join(app.workDir, 'damaged');
  const writer = otherInstance(path.join(app.workDir, 'other-data'));
  const { project } = await writer.create(dir, 'Good state');
  await writer.save({ ...project, name: 'Second save' }, 1, false);
  await writer.close(false);
  fs.writeFileSync(path.join(dir, 'project.json'), '{"version":2,"name":"torn');
  await menu(page, /Open project/);
  await chooseFolder(page, dir);
  await expect(page.getByTestId('notice').last()).toContainText('PROJECT_CORRUPT');
  const dialog = page.getByRole('dialog', { name: 'Recover project' });
  await expect(dialog.getByTestId('recovery-saved')).toContainText('cannot be opened');
  await expect(dialog.getByTestId('recovery-candidate-backup').first()).toContainText('project.json cannot be read');
  await dialog.getByRole('button', { name: 'Restore selected' }).click();
  await expect(page.getByTestId('project-title')).toHaveText('Good state');
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).name).toBe('Good state');
});

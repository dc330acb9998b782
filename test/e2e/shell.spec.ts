import { test, expect } from './fixtures';

test('the shell shows the empty state and the System panel with the real ffmpeg version and ORT providers', async ({ app }) => {
  const { page } = app;
  await expect(page.getByText('Drop an image and a song to start')).toBeVisible();
  await app.screenshot('shell-empty-state');

  await page.getByRole('tab', { name: 'System' }).click();
  await expect(page.getByTestId('doctor-ffmpeg')).toContainText(/\d+\.\d+/, { timeout: 60_000 });
  await expect(page.getByTestId('doctor-providers')).toContainText('cpu');
  await expect(page.getByTestId('provider-reason')).toContainText('CPU');
  await app.screenshot('system-panel');
});

test('a command runs from the palette (Ctrl+K)', async ({ app }) => {
  const { page } = app;
  await expect(page.getByText('Drop an image and a song to start')).toBeVisible();
  await page.keyboard.press('Control+K');
  await expect(page.getByRole('dialog', { name: 'Command palette' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Command', exact: true }).fill('system check');
  await app.screenshot('command-palette');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('doctor-ffmpeg')).toBeVisible({ timeout: 60_000 });
});

test('a malformed request comes back as a clean error value, shown to the user', async ({ app }) => {
  const { page } = app;
  await expect(page.getByText('Drop an image and a song to start')).toBeVisible();
  // Through the real web bridge, as the renderer would send it.
  const reply = await page.evaluate(async () => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    const answer = new Promise<string>((r) => ws.addEventListener('message', (e) => r(String(e.data)), { once: true }));
    ws.send(JSON.stringify({ type: 'call', id: 7, channel: 'project.open', request: { dir: 42 } }));
    return JSON.parse(await answer);
  });
  expect(reply).toMatchObject({ type: 'reply', id: 7, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
  // And through the UI: opening a folder that is not a project shows the error value.
  await page.getByLabel('Project folder').fill(`${app.workDir}/does-not-exist`);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('notice')).toContainText('PROJECT_NOT_FOUND');
  await app.screenshot('error-notice');
});

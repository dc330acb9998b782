/**
 * Hardening of every window (Electron security checklist): no new windows, no navigation away from the
 * renderer, no webviews, every permission request denied.
 */
import type { BrowserWindow, Session } from 'electron';
import { RENDERER_ORIGIN } from './ipc-adapter';

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function hardenWindow(win: BrowserWindow): void {
  const wc = win.webContents;
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
  wc.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${RENDERER_ORIGIN}/`)) event.preventDefault();
  });
  wc.on('will-redirect', (event, url) => {
    if (!url.startsWith(`${RENDERER_ORIGIN}/`)) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Electron main process: a thin adapter. Windows, protocols and ipcMain only; every capability lives in
 * electron/services behind the handler registry shared with the browser host and the CLI.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { createStudio } from '../services/composition-root';
import { shutdownStudio } from '../services/shutdown';
import { IPC_EVENT } from '../shared/contract/electron-ipc';
import { attachIpc, RENDERER_ORIGIN } from './ipc-adapter';
import { handleProtocols, registerSchemes } from './protocols';
import { hardenSession, hardenWindow } from './window-security';

registerSchemes();
const windows = new Set<BrowserWindow>();

app.whenReady().then(() => {
  const studio = createStudio('electron', undefined, (line) => console.error(line));
  hardenSession(session.defaultSession);
  handleProtocols(path.join(studio.config.appRoot, 'dist', 'renderer'), studio.media);
  attachIpc(ipcMain, studio.registry, (event, payload) => {
    for (const win of windows) if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, { event, payload });
  });

  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 680,
    backgroundColor: '#121316',
    title: 'MuseDance Studio',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      // Middle-click would open links in a new window, bypassing setWindowOpenHandler's intent.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  hardenWindow(win);
  void win.loadURL(`${RENDERER_ORIGIN}/index.html`);

  let shutDown = false;
  app.on('before-quit', (event) => {
    if (shutDown) return;
    // Release the project lock (and cancel jobs) before the process goes away.
    event.preventDefault();
    void shutdownStudio(studio.registry).finally(() => {
      shutDown = true;
      app.quit();
    });
  });
});

app.on('window-all-closed', () => app.quit());

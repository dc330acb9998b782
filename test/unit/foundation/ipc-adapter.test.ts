/**
 * The Electron ipcMain adapter, driven through an ipcMain-shaped emitter (the only fake in the suite: the
 * Electron binary cannot be installed here). The registry behind it is the real one.
 */
import { describe, expect, it } from 'vitest';
import { attachIpc, type IpcInvokeEventLike, type IpcMainLike } from '../../../electron/main/ipc-adapter';
import { IPC_CALL } from '../../../electron/shared/contract/electron-ipc';
import { createStudio } from '../../../electron/services/composition-root';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>) {
    if (this.handlers.has(channel)) throw new Error('second handler');
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(frameUrl: string | null, ...args: unknown[]) {
    return this.handlers.get(IPC_CALL)!({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  }
}

describe('ipcMain adapter', () => {
  const studio = createStudio('electron');
  const ipc = new FakeIpcMain();
  const detach = attachIpc(ipc, studio.registry, () => {});

  it('dispatches calls from the renderer frame', async () => {
    expect(await ipc.invoke('app://renderer/index.html', { channel: 'system.info', request: {} })).toMatchObject({ ok: true, value: { host: 'electron' } });
  });
  it('refuses calls from any other frame', async () => {
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://evil/index.html', 'not a url', null]) {
      expect(await ipc.invoke(url, { channel: 'system.info', request: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });
  it('turns malformed envelopes and requests into error values', async () => {
    expect(await ipc.invoke('app://renderer/', 'x')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ipc.invoke('app://renderer/', [1, 2])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ipc.invoke('app://renderer/', { channel: 'project.open', request: { dir: 5 } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
  it('detaches cleanly', () => {
    detach();
    expect(ipc.handlers.size).toBe(0);
  });
});

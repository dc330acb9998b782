/**
 * ipcMain adapter over the handler registry. Kept free of `electron` imports (it takes an ipcMain-shaped
 * object) so it is unit-tested without the Electron binary. One IPC channel carries every call; the
 * envelope is checked, the sender frame must be our renderer, then the registry parses the request.
 */
import type { HandlerRegistry, Emit } from '../ipc/registry';
import { IPC_CALL } from '../shared/contract/electron-ipc';
import { ErrorCodes, err, type Result } from '../shared/result';

/** The renderer is served from this origin by the `app://` protocol; nothing else may call. */
export const RENDERER_ORIGIN = 'app://renderer';

export interface IpcSenderFrame {
  url: string;
}
export interface IpcInvokeEventLike {
  senderFrame: IpcSenderFrame | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export const isTrustedFrame = (frame: IpcSenderFrame | null): boolean => {
  if (!frame) return false;
  try {
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === RENDERER_ORIGIN;
  } catch {
    return false;
  }
};

export function attachIpc(ipcMain: IpcMainLike, registry: HandlerRegistry, emit: Emit): () => void {
  ipcMain.handle(IPC_CALL, async (event, envelope): Promise<Result<unknown>> => {
    if (!isTrustedFrame(event.senderFrame)) return err(ErrorCodes.forbidden, 'IPC from an untrusted frame was refused.');
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return err(ErrorCodes.badRequest, 'Malformed IPC envelope.');
    const { channel, request, jobId } = envelope as { channel?: unknown; request?: unknown; jobId?: unknown };
    return registry.dispatch(channel, request, { jobId, emit });
  });
  return () => ipcMain.removeHandler(IPC_CALL);
}

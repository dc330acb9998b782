/**
 * Preload (sandboxed): exposes `window.studio` — one verb per contract channel and `on(event)` returning an
 * unsubscribe. The renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildVerbs, type StudioBridge } from '../shared/contract/bridge';
import { IPC_CALL, IPC_EVENT, MEDIA_SCHEME } from '../shared/contract/electron-ipc';
import { isEventName, type EventName } from '../shared/contract/index';
import type { Result } from '../shared/result';

const bridge: StudioBridge = {
  host: 'electron',
  verbs: buildVerbs((channel, request, options) => ipcRenderer.invoke(IPC_CALL, { channel, request, jobId: options.jobId }) as Promise<Result<unknown>>),
  on(event: EventName, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const wrapped = (_e: IpcRendererEvent, message: { event: string; payload: unknown }) => {
      if (message.event === event) (listener as (p: unknown) => void)(message.payload);
    };
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => void ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
  mediaUrl: (kind, relPath) => `${MEDIA_SCHEME}://${kind}/${relPath.split('/').map(encodeURIComponent).join('/')}`,
};

contextBridge.exposeInMainWorld('studio', bridge);

/**
 * The names the Electron host's two halves must agree on, written once: the one ipcMain channel that carries
 * every contract call (`electron/main/ipc-adapter.ts` handles it, `electron/preload/preload.ts` invokes it), the
 * one that carries every event, and the custom protocol project and pack files are served from
 * (`electron/main/protocols.ts`). Contract channel names themselves are the keys of `contract` (./index.ts).
 */
export const IPC_CALL = 'musedance:call';
export const IPC_EVENT = 'musedance:event';
export const MEDIA_SCHEME = 'musedance-media';

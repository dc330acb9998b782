/**
 * The browser host's twin of the Electron preload: the same verbs, carried over a WebSocket to the host on
 * 127.0.0.1 (the HttpOnly token cookie set on first load authenticates the socket).
 */
import { buildVerbs, type StudioBridge } from '@shared/contract/bridge';
import type { EventName } from '@shared/contract/index';
import type { WireServerMessage } from '@shared/contract/wire';
import type { Result } from '@shared/result';

const RECONNECT_DELAY_MS = 1_000;

export function createWebBridge(): StudioBridge {
  let nextId = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket;
  let ready: Promise<void>;

  const connect = () => {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${proto}://${location.host}/ws`);
    ready = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error('The studio host is not reachable.')), { once: true });
    });
    ready.catch(() => {});
    socket.addEventListener('message', (e) => {
      const message = JSON.parse(String(e.data)) as WireServerMessage;
      if (message.type === 'reply') {
        if (message.id === null) return;
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else {
        listeners.get(message.event)?.forEach((fn) => fn(message.payload));
      }
    });
    socket.addEventListener('close', () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'HOST_DISCONNECTED', message: 'Lost the connection to the studio host.' } });
      pending.clear();
      setTimeout(connect, RECONNECT_DELAY_MS);
    });
  };
  connect();

  return {
    host: 'web',
    verbs: buildVerbs(async (channel, request, options) => {
      try {
        await ready;
      } catch (error) {
        return { ok: false, error: { code: 'HOST_DISCONNECTED', message: (error as Error).message } };
      }
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ type: 'call', id, channel, request, jobId: options.jobId }));
      });
    }),
    on(event: EventName, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const fn = listener as (payload: unknown) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    mediaUrl: (kind, relPath) => `/media/${kind}/${relPath.split('/').map(encodeURIComponent).join('/')}`,
  };
}

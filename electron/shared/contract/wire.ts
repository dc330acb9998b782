/** Messages of the browser host's WebSocket (the web twin of Electron's ipcRenderer.invoke / webContents.send). */
import { z } from 'zod';
import { ErrorInfo } from '../result';

export const WireCall = z.object({
  type: z.literal('call'),
  /** Correlates the reply; chosen by the client. */
  id: z.number().int().nonnegative(),
  channel: z.string().max(128),
  request: z.unknown(),
  jobId: z.string().max(64).optional(),
});
export type WireCall = z.infer<typeof WireCall>;

export type WireReply = { type: 'reply'; id: number | null; result: { ok: true; value: unknown } | { ok: false; error: ErrorInfo } };
export type WireEvent = { type: 'event'; event: string; payload: unknown };
export type WireServerMessage = WireReply | WireEvent;

/**
 * Largest WebSocket message the host accepts; larger ones are refused before JSON parsing. Above the
 * largest project.json the store accepts (32 MB) so a big project can still be saved from the browser host.
 */
export const MAX_WIRE_MESSAGE_BYTES = 40 * 1024 * 1024;

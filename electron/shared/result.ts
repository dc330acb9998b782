/**
 * Errors cross every boundary (IPC, WebSocket, CLI) as values, never as thrown stack traces.
 * `code` is stable and machine-readable; `message` is one sentence a user understands.
 */
import { z } from 'zod';

export const ErrorInfo = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(2000),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export type Ok<T> = { ok: true; value: T };
export type Err = { ok: false; error: ErrorInfo };
export type Result<T> = Ok<T> | Err;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = (code: string, message: string): Err => ({ ok: false, error: { code, message } });

/** Schema of a Result whose value matches `value` (used to check replies on the receiving side). */
export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ErrorInfo })]);

/**
 * A failure a service raises on purpose. The registry turns it into an error value; anything else that is
 * thrown becomes `INTERNAL` with a generic message (details go to the log, not across the boundary).
 */
export class StudioError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StudioError';
  }
}

/** Well-known codes shared by every layer. Domains add their own (`MEDIA_NO_AUDIO_STREAM`, ...). */
export const ErrorCodes = {
  badRequest: 'BAD_REQUEST',
  unknownChannel: 'UNKNOWN_CHANNEL',
  cancelled: 'CANCELLED',
  internal: 'INTERNAL',
  notFound: 'NOT_FOUND',
  forbidden: 'FORBIDDEN',
} as const;

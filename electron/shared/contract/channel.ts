/**
 * The building block of the IPC contract: a channel is a request schema + a reply schema.
 * Long-running channels (`job: true`) accept an optional client-chosen `jobId`, report progress through the
 * `job.progress` event and can be cancelled through `jobs.cancel`.
 */
import { z } from 'zod';

export interface ChannelSpec<Req extends z.ZodType = z.ZodType, Rep extends z.ZodType = z.ZodType> {
  request: Req;
  reply: Rep;
  /** Long-running: progress events and cancellation apply. */
  job?: boolean;
  /** One line for the command palette / docs. */
  summary: string;
}

export const channel = <Req extends z.ZodType, Rep extends z.ZodType>(spec: ChannelSpec<Req, Rep>) => spec;

/** Identifies a long-running call so the UI can follow its progress and cancel it. */
export const JobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'jobId must be 1-64 letters, digits, "_" or "-"');
export type JobId = z.infer<typeof JobId>;

export type ChannelMap = Record<string, ChannelSpec>;
export type EventMap = Record<string, z.ZodType>;

/**
 * A file or folder path on the studio's machine, as IPC carries it: absolute (POSIX `/…`, Windows `C:\…`
 * or `\\server\…`) and NUL-free. Relative paths are refused because the services' working directory is not
 * the user's: the CLI resolves what the user typed before calling, the renderer only has absolute paths.
 */
export const HostPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte')
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'path must be absolute');

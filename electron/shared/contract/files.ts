/**
 * The browser host's file and folder picker (issue 23): the renderer cannot see the user's disk, so the
 * service lists folders for it, only inside the roots the host allows (`MUSEDANCE_BROWSE_ROOTS`, default the
 * user's home). Electron uses native dialogs; the list works there too (the same picker is the fallback).
 */
import { z } from 'zod';
import { channel, HostPath } from './channel';

export const FileEntry = z.object({
  name: z.string(),
  /** Absolute path (what import/open/export take). */
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  sizeBytes: z.number().int(),
  modifiedMs: z.number(),
  /** A folder holding a project.json (the picker shows it as a project). */
  isProject: z.boolean(),
});
export type FileEntry = z.infer<typeof FileEntry>;

export const BrowseRoot = z.object({ label: z.string(), path: z.string() });
export type BrowseRoot = z.infer<typeof BrowseRoot>;

/** Most entries one listing returns (sorted: folders first, then by name). */
export const MAX_LISTED_ENTRIES = 2000;

export const filesChannels = {
  'files.list': channel({
    summary: 'List a folder inside the roots the host allows (the browser host file picker)',
    request: z.object({ dir: HostPath.optional(), showHidden: z.boolean().default(false) }).strict(),
    reply: z.object({
      dir: z.string(),
      /** Null at a root (the picker does not go above it). */
      parent: z.string().nullable(),
      roots: z.array(BrowseRoot),
      entries: z.array(FileEntry),
      truncated: z.boolean(),
    }),
  }),
} as const;

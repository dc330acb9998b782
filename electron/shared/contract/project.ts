import { z } from 'zod';
import { channel } from './channel';
import { Project } from '../domain/project';

/** An absolute or user-typed folder path; the service resolves and checks it. */
export const FolderPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

export const projectChannels = {
  'project.new': channel({
    summary: 'Create a new project folder',
    request: z.object({ dir: FolderPath, name: z.string().min(1).max(200) }).strict(),
    reply: z.object({ dir: z.string(), project: Project }),
  }),
  'project.open': channel({
    summary: 'Open a project folder',
    request: z.object({ dir: FolderPath }).strict(),
    reply: z.object({ dir: z.string(), project: Project }),
  }),
  'project.save': channel({
    summary: 'Save the open project',
    request: z.object({ dir: FolderPath, project: Project }).strict(),
    reply: z.object({ savedAt: z.string() }),
  }),
} as const;

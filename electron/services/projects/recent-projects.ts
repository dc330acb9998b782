/**
 * The recent projects list, kept in the user's data folder (`recent-projects.json`, written atomically).
 * A damaged list is treated as empty rather than stopping the studio from starting.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { IsoTime, ProjectId } from '../../shared/domain/project';
import { parseJsonSafely } from '../../shared/safe-json';
import { readTextLimited, writeFileAtomic } from '../util/atomic-file';
import { projectFile } from './project-layout';

export const RECENT_PROJECTS_KEPT = 15;
const MAX_RECENT_FILE_BYTES = 256 * 1024;

const RecentEntry = z.object({ dir: z.string().max(4096), name: z.string().max(200), id: ProjectId.nullable(), openedAt: IsoTime });
const RecentFile = z.object({ version: z.literal(1), projects: z.array(RecentEntry).max(100) });
type RecentEntry = z.infer<typeof RecentEntry>;

export interface RecentProjectView extends RecentEntry {
  exists: boolean;
}

export class RecentProjects {
  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return path.join(this.dataDir, 'recent-projects.json');
  }

  private async read(): Promise<RecentEntry[]> {
    const read = await readTextLimited(this.file, MAX_RECENT_FILE_BYTES);
    if (!read.ok) return [];
    const parsed = parseJsonSafely(read.text, { maxDepth: 8 });
    const list = parsed.ok ? RecentFile.safeParse(parsed.value) : null;
    return list?.success ? list.data.projects : [];
  }

  private async write(projects: RecentEntry[]): Promise<void> {
    await fs.mkdir(this.dataDir, { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, projects } satisfies z.infer<typeof RecentFile>, null, 1));
  }

  async list(): Promise<RecentProjectView[]> {
    const entries = await this.read();
    return Promise.all(entries.map(async (e) => ({ ...e, exists: await fs.stat(projectFile(e.dir)).then((s) => s.isFile(), () => false) })));
  }

  async add(entry: Omit<RecentEntry, 'openedAt'>): Promise<void> {
    const rest = (await this.read()).filter((e) => e.dir !== entry.dir);
    await this.write([{ ...entry, openedAt: new Date().toISOString() }, ...rest].slice(0, RECENT_PROJECTS_KEPT));
  }

  async forget(dir: string): Promise<RecentProjectView[]> {
    const entries = await this.read();
    const kept = entries.filter((e) => e.dir !== path.resolve(dir));
    if (kept.length !== entries.length) await this.write(kept);
    return this.list();
  }
}

/**
 * Project folders: `project.json` + `media/`, `takes/`, `cache/`. Version 1 writes plainly; issue 10 makes
 * saves atomic with backups, autosave, locking and recovery behind this same interface.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { emptyProject, Project } from '../../shared/domain/project';
import { StudioError } from '../../shared/result';

export const PROJECT_FILE = 'project.json';
/** project.json larger than this is refused before parsing (a real one is a few MB at most). */
export const MAX_PROJECT_FILE_BYTES = 32 * 1024 * 1024;

const resolveDir = (dir: string) => path.resolve(dir);

export async function createProject(dir: string, name: string): Promise<{ dir: string; project: Project }> {
  const root = resolveDir(dir);
  try {
    await fs.access(path.join(root, PROJECT_FILE));
    throw new StudioError('PROJECT_EXISTS', `A project already exists in ${root}.`);
  } catch (error) {
    if (error instanceof StudioError) throw error;
  }
  await fs.mkdir(root, { recursive: true });
  for (const sub of ['media', 'takes', 'cache']) await fs.mkdir(path.join(root, sub), { recursive: true });
  const project = emptyProject(name);
  await writeProject(root, project);
  return { dir: root, project };
}

export async function openProject(dir: string): Promise<{ dir: string; project: Project }> {
  const root = resolveDir(dir);
  const file = path.join(root, PROJECT_FILE);
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new StudioError('PROJECT_NOT_FOUND', `No project.json in ${root}.`);
  }
  if (stat.size > MAX_PROJECT_FILE_BYTES) throw new StudioError('PROJECT_TOO_LARGE', `project.json is ${stat.size} bytes; the limit is ${MAX_PROJECT_FILE_BYTES}.`);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new StudioError('PROJECT_CORRUPT', `project.json is not valid JSON (${(error as Error).message.slice(0, 120)}).`);
  }
  const parsed = Project.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError('PROJECT_INVALID', `project.json is invalid at ${issue.path.join('.') || 'top level'}: ${issue.message}.`);
  }
  return { dir: root, project: parsed.data };
}

export async function writeProject(dir: string, project: Project): Promise<string> {
  const root = resolveDir(dir);
  await fs.writeFile(path.join(root, PROJECT_FILE), JSON.stringify(project, null, 2));
  return new Date().toISOString();
}

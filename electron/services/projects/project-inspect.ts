/**
 * Read-only looks at a project folder: which recovery copies exist (autosave, backups), how each differs from
 * project.json, which one to offer; and a validation report for the CLI. Nothing here writes or locks.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RecoveryCandidate, RecoveryReport } from '../../shared/contract/project';
import { PROJECT_VERSION, type Project } from '../../shared/domain/project';
import { describeProjectDiff, summarizeProject } from '../../shared/domain/project-diff';
import type { MigrationContext } from '../../shared/domain/project-migrations';
import { parseJsonSafely } from '../../shared/safe-json';
import { readTextLimited } from '../util/atomic-file';
import { peekLock } from './project-lock';
import { autosaveFile, BACKUP_DIR, MAX_PROJECT_FILE_BYTES, projectFile } from './project-layout';
import { listBackupFiles, readProjectFile } from './project-file';

/** At most this many backups are read for one report (the rolling window plus set-aside originals). */
const MAX_BACKUPS_INSPECTED = 24;

export async function inspectProject(root: string, ctx: MigrationContext, options: { crashed?: boolean } = {}): Promise<RecoveryReport> {
  const saved = await readProjectFile(projectFile(root), ctx, { root });
  const lock = await peekLock(root);
  const copies: { id: string; kind: 'autosave' | 'backup'; file: string }[] = [{ id: 'autosave', kind: 'autosave', file: path.basename(autosaveFile(root)) }];
  for (const name of (await listBackupFiles(root)).slice(0, MAX_BACKUPS_INSPECTED)) copies.push({ id: `backup:${name}`, kind: 'backup', file: `${BACKUP_DIR}/${name}` });

  const candidates: (RecoveryCandidate & { project: Project })[] = [];
  const skipped: RecoveryReport['skipped'] = [];
  for (const copy of copies) {
    // Copies are read only where they really are inside the project (a backup linked elsewhere is skipped).
    const read = await readProjectFile(path.join(root, copy.file), ctx, { root });
    if (!read.ok) {
      if (read.code !== 'PROJECT_NOT_FOUND') skipped.push({ file: copy.file, reason: read.message });
      continue;
    }
    if (saved.ok && read.project.id !== saved.project.id) {
      skipped.push({ file: copy.file, reason: 'belongs to a different project' });
      continue;
    }
    candidates.push({
      id: copy.id,
      kind: copy.kind,
      file: copy.file,
      project: read.project,
      summary: summarizeProject(read.project),
      differences: saved.ok ? describeProjectDiff(saved.project, read.project) : ['project.json cannot be read; this copy can replace it'],
      newerThanSaved: saved.ok ? read.project.saved.seq > saved.project.saved.seq : true,
    });
  }
  // Newest first; the same content kept twice (autosave also linked into backups/) is offered once.
  candidates.sort((a, b) => b.summary.seq - a.summary.seq || (a.kind === 'autosave' ? -1 : 1));
  const unique = candidates.filter((c, i) => i === 0 || c.summary.seq !== candidates[i - 1]!.summary.seq);
  const offer = saved.ok ? unique.find((c) => c.newerThanSaved && c.differences.length > 0) : unique[0];
  return {
    dir: root,
    saved: saved.ok ? { ok: true, summary: summarizeProject(saved.project), migratedFrom: saved.migrated ? saved.fromVersion : null } : { ok: false, code: saved.code, message: saved.message },
    crashed: lock.stale || (options.crashed ?? false),
    lockHolder: lock.holder,
    candidates: unique.map(({ project: _p, ...c }) => c),
    skipped,
    recommended: offer?.id ?? null,
  };
}

export async function validateProject(root: string, ctx: MigrationContext) {
  const stat = await fs.stat(root).catch(() => null);
  const read = stat?.isDirectory() ? await readProjectFile(projectFile(root), ctx) : ({ ok: false, code: 'PROJECT_NOT_FOUND', message: `${root} is not a folder.` } as const);
  const lock = stat?.isDirectory() ? await peekLock(root) : { holder: null, stale: false };
  const backups = stat?.isDirectory() ? (await listBackupFiles(root)).length : 0;
  let version: number | null = null;
  const raw = await readTextLimited(projectFile(root), MAX_PROJECT_FILE_BYTES);
  if (raw.ok) {
    const parsed = parseJsonSafely(raw.text, { maxDepth: 32 });
    const v = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as { version?: unknown }).version : undefined;
    if (typeof v === 'number' && Number.isInteger(v)) version = v;
  }
  const autosave = read.ok ? await readProjectFile(autosaveFile(root), ctx) : null;
  const warnings: string[] = [];
  if (lock.holder && !lock.stale) warnings.push(`Open in another studio (process ${lock.holder.pid} on ${lock.holder.host}).`);
  if (lock.stale) warnings.push('The last session did not close the project (stale lock): it may have crashed.');
  const recoveryAvailable = !!(autosave?.ok && read.ok && autosave.project.saved.seq > read.project.saved.seq);
  if (recoveryAvailable) warnings.push('An autosave newer than project.json exists: open the project to recover it.');
  return {
    valid: read.ok,
    dir: root,
    version,
    currentVersion: PROJECT_VERSION,
    needsMigration: read.ok && read.migrated,
    name: read.ok ? read.project.name : null,
    beats: read.ok ? read.project.beats.length : 0,
    segments: read.ok ? read.project.segments.length : 0,
    backups,
    lockHolder: lock.holder,
    recoveryAvailable,
    error: read.ok ? null : { code: read.code, message: read.message },
    warnings,
  };
}

/**
 * The project open in one studio instance: open/new/save/save-as/close, the lock, autosave and backups.
 * Operations run one at a time (a queue), so a late autosave can never interleave with a save or a close.
 * Plain Node; the handlers adapt it to the contract.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { OpenedProject } from '../../shared/contract/project';
import { emptyProject, type Project, type SaveKind } from '../../shared/domain/project';
import type { MigrationContext } from '../../shared/domain/project-migrations';
import { describeProjectDiff } from '../../shared/domain/project-diff';
import { StudioError } from '../../shared/result';
import type { MediaRoots } from '../media-roots';
import { isInside } from '../media-roots';
import { isTempFileOf } from '../util/atomic-file';
import { acquireProjectLock, newInstanceId, type HeldLock } from './project-lock';
import { AUTOSAVE_FILE, autosaveFile, backupDir, CONTENT_DIRS, LOCK_FILE, PROJECT_FILE, projectFile, resolveInsideProject } from './project-layout';
import { backupName, backupSeq, keepAsBackup, listBackupFiles, pruneBackups, readProjectFile, writeProjectFile } from './project-file';
import { RecentProjects } from './recent-projects';
import { copyProjectContent } from './copy-content';

export interface ProjectServiceOptions {
  appVersion: string;
  dataDir: string;
  media: MediaRoots;
}

interface Session {
  root: string;
  /** What project.json holds now. */
  project: Project;
  readOnly: boolean;
  readOnlyReason: string | null;
  lock: HeldLock | null;
  lockHolder: OpenedProject['lockHolder'];
  /** Highest write counter among project.json, the autosave and the backups. */
  seq: number;
  /** Document revisions written in this session (null: nothing yet). */
  savedRevision: number | null;
  autosavedRevision: number | null;
  migratedFrom: number | null;
  crashed: boolean;
  recoveryAvailable: boolean;
  recoveryCandidates: number;
  warnings: string[];
}

export class ProjectService {
  private session: Session | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly instanceId = newInstanceId();
  readonly recent: RecentProjects;

  constructor(private readonly options: ProjectServiceOptions) {
    this.recent = new RecentProjects(options.dataDir);
  }

  get migrationContext(): MigrationContext {
    return { now: new Date(), newId: () => emptyProject('x').id, appVersion: this.options.appVersion };
  }

  get openRoot(): string | null {
    return this.session?.root ?? null;
  }

  /** Runs `op` after every earlier operation settled (success or failure). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => {});
    return run;
  }

  create(dir: string, name: string): Promise<OpenedProject> {
    return this.serial(async () => {
      const root = absoluteDir(dir);
      await ensureEmptyOrMissingDir(root);
      await fs.mkdir(root, { recursive: true });
      for (const sub of CONTENT_DIRS) await fs.mkdir(path.join(root, sub), { recursive: true });
      const lock = await acquireProjectLock(root, this.lockIdentity);
      if (!lock.acquired) throw new StudioError('PROJECT_LOCKED', lock.reason);
      const project = emptyProject(name, { appVersion: this.options.appVersion });
      project.saved = { ...project.saved, seq: 1 };
      try {
        await writeProjectFile(projectFile(root), project);
      } catch (error) {
        await lock.lock.release();
        throw error;
      }
      await this.switchTo({ ...blankSession(root, project), lock: lock.lock, seq: 1 });
      return this.describe();
    });
  }

  open(dir: string, options: { readOnly?: boolean } = {}): Promise<OpenedProject> {
    return this.serial(() => this.openNow(absoluteDir(dir), options));
  }

  private async openNow(root: string, options: { readOnly?: boolean }): Promise<OpenedProject> {
    const stat = await fs.stat(root).catch(() => null);
    if (!stat?.isDirectory()) throw new StudioError('PROJECT_NOT_FOUND', `${root} is not a folder.`);
    // Never drop a lock file into a folder that is not a project.
    if (!(await fileExists(projectFile(root)))) throw new StudioError('PROJECT_NOT_FOUND', `No project.json in ${root}.`);
    let lock: HeldLock | null = null;
    let readOnlyReason: string | null = options.readOnly ? 'Opened read-only on request.' : null;
    let lockHolder: OpenedProject['lockHolder'] = null;
    let crashed = false;
    const alreadyOurs = this.session?.root === root ? this.session.lock : null;
    if (!options.readOnly) {
      const attempt = await acquireProjectLock(root, this.lockIdentity);
      if (attempt.acquired) {
        lock = attempt.lock;
        crashed = attempt.staleHolder !== null || this.crashedAt(root);
      } else {
        readOnlyReason = attempt.reason;
        lockHolder = attempt.holder;
      }
    }
    const read = await readProjectFile(projectFile(root), this.migrationContext);
    if (!read.ok) {
      if (lock && !alreadyOurs) await lock.release();
      const backups = (await listBackupFiles(root)).length;
      const hasAutosave = await fileExists(autosaveFile(root));
      const hint = backups || hasAutosave ? ` ${[hasAutosave && 'An autosave', backups && `${backups} backup${backups === 1 ? '' : 's'}`].filter(Boolean).join(' and ')} can restore it (Recover project).` : '';
      throw new StudioError(read.code, read.message + hint);
    }
    let project = read.project;
    const seqs = [project.saved.seq];
    const autosave = await readProjectFile(autosaveFile(root), this.migrationContext);
    if (autosave.ok && autosave.project.id === project.id) seqs.push(autosave.project.saved.seq);
    for (const name of await listBackupFiles(root)) seqs.push(backupSeq(name) ?? 0);
    let seq = Math.max(...seqs);
    if (lock) {
      await this.tidy(root);
      if (read.migrated) {
        // Never lose the original: it stays in backups/ (outside the rolling window), then the upgrade is saved.
        await keepAsBackup(root, projectFile(root), `project.v${read.fromVersion}-original.${Date.now()}.json`);
        seq += 1;
        project = { ...project, saved: { seq, savedAt: new Date().toISOString(), kind: 'migration', appVersion: this.options.appVersion } };
        await writeProjectFile(projectFile(root), project);
      }
      // An autosave from an earlier session is copied into backups/ so nothing can overwrite the only copy.
      if (autosave.ok) await keepAsBackup(root, autosaveFile(root), backupName(autosave.project.saved.seq));
    }
    const recoveryAvailable =
      autosave.ok && autosave.project.id === project.id && autosave.project.saved.seq > project.saved.seq && describeProjectDiff(project, autosave.project).length > 0;
    if (this.session && this.session.root !== root) await this.releaseSession();
    await this.switchTo({
      ...blankSession(root, project),
      lock,
      readOnly: lock === null,
      readOnlyReason,
      lockHolder,
      seq,
      migratedFrom: read.migrated ? read.fromVersion : null,
      crashed,
      recoveryAvailable,
      recoveryCandidates: (recoveryAvailable ? 1 : 0) + (await listBackupFiles(root)).length,
      warnings: await checkReferencedFiles(root, project),
    });
    return this.describe();
  }

  save(project: Project, revision: number, autosave: boolean) {
    return this.serial(async () => {
      const s = this.writableSession();
      if (project.id !== s.project.id) throw new StudioError('PROJECT_MISMATCH', 'This save belongs to a different project than the one open; it was not written.');
      if (!(await s.lock!.stillHeld())) {
        s.readOnly = true;
        s.readOnlyReason = 'Another instance took over this project; it is now read-only. Use Save As to keep your changes.';
        s.lock = null;
        throw new StudioError('PROJECT_LOCK_LOST', s.readOnlyReason);
      }
      const newest = Math.max(s.savedRevision ?? -1, autosave ? (s.autosavedRevision ?? -1) : -1);
      const skipped = autosave ? revision <= newest : revision < newest;
      const base = { revision, target: autosave ? ('autosave' as const) : ('project' as const) };
      if (skipped) return { ...base, skipped: true, savedAt: s.project.saved.savedAt, seq: s.seq, backups: await pruneBackups(s.root) };
      const doc = this.stamp(s, project, autosave ? 'autosave' : 'save');
      let backups: number;
      if (autosave) {
        await writeProjectFile(autosaveFile(s.root), doc);
        s.autosavedRevision = revision;
        backups = (await listBackupFiles(s.root)).length;
      } else {
        await keepAsBackup(s.root, projectFile(s.root), backupName(s.project.saved.seq));
        await writeProjectFile(projectFile(s.root), doc);
        s.project = doc;
        s.savedRevision = revision;
        backups = await pruneBackups(s.root);
        // The autosave is now older than the saved file (or predates this session and sits in backups/).
        if (s.autosavedRevision === null || s.autosavedRevision <= revision) {
          await fs.rm(autosaveFile(s.root), { force: true });
          s.autosavedRevision = null;
          s.recoveryAvailable = false;
        }
      }
      return { ...base, skipped: false, savedAt: doc.saved.savedAt, seq: s.seq, backups };
    });
  }

  saveAs(dir: string, project: Project, revision: number, options: { name?: string; signal: AbortSignal; progress: (fraction: number, message: string) => void }) {
    return this.serial(async () => {
      const s = this.session;
      if (!s) throw new StudioError('PROJECT_NOT_OPEN', 'No project is open.');
      if (project.id !== s.project.id) throw new StudioError('PROJECT_MISMATCH', 'This save belongs to a different project than the one open; it was not written.');
      const root = absoluteDir(dir);
      if (root === s.root) throw new StudioError('PROJECT_SAME_FOLDER', 'That is the folder of the open project: use Save.');
      if (isInside(s.root, root)) throw new StudioError('PROJECT_NESTED', 'A project cannot be saved inside the folder of the open project.');
      const created = !(await fileExists(root));
      await ensureEmptyOrMissingDir(root);
      await fs.mkdir(root, { recursive: true });
      const lock = await acquireProjectLock(root, this.lockIdentity);
      if (!lock.acquired) throw new StudioError('PROJECT_LOCKED', lock.reason);
      try {
        for (const sub of CONTENT_DIRS) await fs.mkdir(path.join(root, sub), { recursive: true });
        await copyProjectContent(s.root, root, { dirs: ['media', 'takes'], signal: options.signal, progress: (f, m) => options.progress(f * 0.95, m) });
        const now = new Date().toISOString();
        const doc: Project = {
          ...project,
          id: emptyProject('x').id,
          name: options.name ?? project.name,
          createdAt: now,
          saved: { seq: 1, savedAt: now, kind: 'save-as', appVersion: this.options.appVersion },
        };
        await writeProjectFile(projectFile(root), doc);
        options.progress(1, 'Saved');
        // The old project keeps its last saved state; unsaved changes of this session now live in the new one.
        if (!s.readOnly && s.autosavedRevision !== null) await fs.rm(autosaveFile(s.root), { force: true });
        await this.releaseSession();
        await this.switchTo({ ...blankSession(root, doc), lock: lock.lock, seq: 1, savedRevision: revision, warnings: await checkReferencedFiles(root, doc) });
        return this.describe();
      } catch (error) {
        await lock.lock.release();
        if (created) await fs.rm(root, { recursive: true, force: true });
        throw error;
      }
    });
  }

  close(discardUnsaved: boolean) {
    return this.serial(async () => {
      const s = this.session;
      if (!s) return { closed: false, discardedUnsaved: false };
      const unsaved = this.hasUnsavedChanges();
      if (unsaved && !discardUnsaved) {
        throw new StudioError('PROJECT_UNSAVED_CHANGES', `"${s.project.name}" has unsaved changes: save them or close with "discard".`);
      }
      // A closed project has no autosave: what was unsaved was discarded by the user, the rest is in project.json.
      if (!s.readOnly && s.autosavedRevision !== null) await fs.rm(autosaveFile(s.root), { force: true });
      await this.releaseSession();
      return { closed: true, discardedUnsaved: unsaved };
    });
  }

  hasUnsavedChanges(): boolean {
    const s = this.session;
    return !!s && s.autosavedRevision !== null && s.autosavedRevision > (s.savedRevision ?? -1);
  }

  current(): { open: OpenedProject | null; unsavedChanges: boolean } {
    return { open: this.session ? this.describe() : null, unsavedChanges: this.hasUnsavedChanges() };
  }

  /** Whether the open session found a stale lock of a crashed session at this folder. */
  crashedAt(root: string): boolean {
    return this.session?.root === root && this.session.crashed;
  }

  /**
   * Restores a recovery copy (`autosave` or `backup:<file>`) as the saved project and opens it, or with
   * `candidateId` null drops the autosave (it stays in backups/). Whatever project.json held is kept in backups/.
   */
  recover(dir: string, candidateId: string | null): Promise<OpenedProject> {
    return this.serial(async () => {
      const root = absoluteDir(dir);
      if (!(await fileExists(projectFile(root))) && !(await listBackupFiles(root)).length) {
        throw new StudioError('PROJECT_NOT_FOUND', `${root} holds no project and no backups to recover.`);
      }
      const ours = this.session?.root === root ? this.session.lock : null;
      const attempt = ours ? null : await acquireProjectLock(root, this.lockIdentity);
      if (attempt && !attempt.acquired) throw new StudioError('PROJECT_LOCKED', attempt.reason.replace(/it was opened read-only\.$/, 'close it there first.'));
      const lock = ours ?? (attempt && attempt.acquired ? attempt.lock : null);
      try {
        if (candidateId === null) {
          if (await fileExists(autosaveFile(root))) {
            const autosave = await readProjectFile(autosaveFile(root), this.migrationContext);
            if (autosave.ok) await keepAsBackup(root, autosaveFile(root), backupName(autosave.project.saved.seq));
            await fs.rm(autosaveFile(root), { force: true });
          }
        } else {
          const file = candidateFile(root, candidateId);
          const chosen = await readProjectFile(file, this.migrationContext);
          if (!chosen.ok) throw new StudioError('RECOVERY_UNREADABLE', `That copy cannot be restored: ${chosen.message}`);
          const current = await readProjectFile(projectFile(root), this.migrationContext);
          const seqs = [chosen.project.saved.seq, current.ok ? current.project.saved.seq : 0, ...(await listBackupFiles(root)).map((n) => backupSeq(n) ?? 0)];
          if (current.ok) await keepAsBackup(root, projectFile(root), backupName(current.project.saved.seq));
          else if (await fileExists(projectFile(root))) await keepAsBackup(root, projectFile(root), `project.unreadable.${Date.now()}.json`);
          const seq = Math.max(...seqs) + 1;
          const doc: Project = { ...chosen.project, saved: { seq, savedAt: new Date().toISOString(), kind: 'recovery', appVersion: this.options.appVersion } };
          await writeProjectFile(projectFile(root), doc);
          await fs.rm(autosaveFile(root), { force: true });
          await pruneBackups(root);
        }
      } catch (error) {
        if (!ours) await lock?.release();
        throw error;
      }
      const opened = await this.openNow(root, {});
      if (this.session) this.session.recoveryAvailable = false;
      return { ...opened, recovery: { ...opened.recovery, available: false } };
    });
  }

  private get lockIdentity() {
    return { instanceId: this.instanceId, appVersion: this.options.appVersion };
  }

  private writableSession(): Session {
    const s = this.session;
    if (!s) throw new StudioError('PROJECT_NOT_OPEN', 'No project is open.');
    if (s.readOnly || !s.lock) throw new StudioError('PROJECT_READ_ONLY', `${s.readOnlyReason ?? 'This project is open read-only.'} Use Save As to keep your changes.`);
    return s;
  }

  private stamp(s: Session, project: Project, kind: SaveKind): Project {
    s.seq += 1;
    return { ...project, saved: { seq: s.seq, savedAt: new Date().toISOString(), kind, appVersion: this.options.appVersion } };
  }

  private async switchTo(session: Session): Promise<void> {
    if (this.session && this.session.root !== session.root) await this.releaseSession();
    this.session = session;
    this.options.media.setProject(session.root);
    await this.recent.add({ dir: session.root, name: session.project.name, id: session.project.id }).catch(() => {});
  }

  private async releaseSession(): Promise<void> {
    const s = this.session;
    this.session = null;
    this.options.media.setProject(null);
    await s?.lock?.release();
  }

  /** Removes what a killed writer can leave behind: temp files and set-aside stale locks. Only with the lock held. */
  private async tidy(root: string): Promise<void> {
    for (const sub of CONTENT_DIRS) await fs.mkdir(path.join(root, sub), { recursive: true });
    for (const [dir, bases] of [
      [root, [PROJECT_FILE, AUTOSAVE_FILE, 'project.lock']],
      [backupDir(root), [] as string[]],
    ] as const) {
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const leftover = bases.some((b) => isTempFileOf(name, b)) || (name.startsWith(`.${LOCK_FILE}.`) && name.endsWith('.stale'));
        if (leftover) await fs.rm(path.join(dir, name), { force: true });
      }
    }
  }

  private describe(): OpenedProject {
    const s = this.session!;
    return {
      dir: s.root,
      project: s.project,
      readOnly: s.readOnly,
      readOnlyReason: s.readOnly ? s.readOnlyReason : null,
      lockHolder: s.lockHolder,
      migratedFrom: s.migratedFrom,
      recovery: { available: s.recoveryAvailable, crashed: s.crashed, candidates: s.recoveryCandidates },
      warnings: s.warnings,
    };
  }

  /** Releases the lock (process shutdown). Unsaved changes stay in the autosave for the next start. */
  dispose(): Promise<void> {
    return this.serial(() => this.releaseSession());
  }
}

const blankSession = (root: string, project: Project): Session => ({
  root,
  project,
  readOnly: false,
  readOnlyReason: null,
  lock: null,
  lockHolder: null,
  seq: project.saved.seq,
  savedRevision: null,
  autosavedRevision: null,
  migratedFrom: null,
  crashed: false,
  recoveryAvailable: false,
  recoveryCandidates: 0,
  warnings: [],
});

/** Folders come from dialogs or the CLI (which resolves them): a relative path would depend on our cwd. */
export function absoluteDir(dir: string): string {
  if (!path.isAbsolute(dir)) throw new StudioError('PROJECT_PATH_NOT_ABSOLUTE', `Project folders must be absolute paths (got ${JSON.stringify(dir.slice(0, 200))}).`);
  return path.resolve(dir);
}

async function ensureEmptyOrMissingDir(root: string): Promise<void> {
  const stat = await fs.lstat(root).catch(() => null);
  if (!stat) return;
  if (!stat.isDirectory()) throw new StudioError('PROJECT_DIR_INVALID', `${root} exists and is not a folder.`);
  const names = await fs.readdir(root);
  if (names.includes(PROJECT_FILE)) throw new StudioError('PROJECT_EXISTS', `A project already exists in ${root}.`);
  if (names.length) throw new StudioError('PROJECT_DIR_NOT_EMPTY', `${root} is not empty: choose an empty or new folder for a project.`);
}

const fileExists = (p: string) => fs.stat(p).then(() => true, () => false);

/** The file behind a recovery candidate id; ids are checked so they can only name our own files. */
export function candidateFile(root: string, candidateId: string): string {
  if (candidateId === 'autosave') return autosaveFile(root);
  const m = /^backup:(project\.[A-Za-z0-9_.-]+\.json)$/.exec(candidateId);
  if (!m || m[1]!.includes('..')) throw new StudioError('RECOVERY_UNKNOWN', `Unknown recovery copy ${JSON.stringify(candidateId.slice(0, 80))}.`);
  return path.join(backupDir(root), m[1]!);
}

/** Media and takes the project names: missing ones and ones leaving the folder are reported, never followed. */
async function checkReferencedFiles(root: string, project: Project): Promise<string[]> {
  const refs: { label: string; rel: string }[] = [];
  if (project.song) refs.push({ label: `Song ${project.song.originalName}`, rel: project.song.path });
  if (project.referenceImage) refs.push({ label: `Reference image ${project.referenceImage.originalName}`, rel: project.referenceImage.path });
  for (const seg of project.segments) for (const take of seg.takes) refs.push({ label: `Take ${take.id}`, rel: take.path });
  const warnings: string[] = [];
  for (const { label, rel } of refs.slice(0, 10_000)) {
    const abs = resolveInsideProject(root, rel);
    if (!abs) warnings.push(`${label}: ${rel} leaves the project folder and will not be loaded.`);
    else if (!(await fileExists(abs))) warnings.push(`${label}: ${rel} is missing.`);
    if (warnings.length >= 50) break;
  }
  return warnings;
}

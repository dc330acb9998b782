/**
 * Autosave of the open project: watches the project store, and through the shared AutosaveScheduler writes
 * the document to the project's recovery copy a moment after edits stop and at least every 30 s. Explicit
 * saves go through `saveNow` in project-session.ts, which tells the scheduler.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import { AutosaveScheduler } from '@shared/domain/autosave';
import { notify } from '../../state/notifications';
import type { ProjectStore } from '../../state/project-store';

export class AutosaveController {
  private readonly scheduler: AutosaveScheduler;
  private unsubscribe: (() => void) | null = null;
  private lastDir: string | null = null;
  private lastRevision = 0;
  private lastErrorAt = 0;

  constructor(
    private readonly studio: StudioBridge,
    private readonly store: ProjectStore,
    private readonly onProjectLoaded: (dir: string) => void,
  ) {
    this.scheduler = new AutosaveScheduler({
      currentRevision: () => this.store.getState().revision,
      save: (revision) => this.autosave(revision),
      onError: (error) => this.reportError(String((error as Error)?.message ?? error)),
    });
  }

  start(): () => void {
    this.unsubscribe = this.store.subscribe(() => this.onStoreChange());
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (this.store.dirty) e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      this.unsubscribe?.();
      this.scheduler.stop();
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }

  /** An explicit save wrote `revision` to project.json. */
  markSaved(revision: number): void {
    this.scheduler.markSaved(revision);
  }

  /** Writes pending edits now (before closing or switching projects). */
  flush(): Promise<void> {
    return this.scheduler.flush();
  }

  private onStoreChange(): void {
    const { dir, revision, project } = this.store.getState();
    if (dir !== this.lastDir || (project === null) !== (this.lastDir === null)) {
      this.lastDir = project ? dir : null;
      this.lastRevision = revision;
      if (project && dir) {
        this.scheduler.start(revision);
        this.onProjectLoaded(dir);
      } else this.scheduler.stop();
      return;
    }
    if (revision !== this.lastRevision) {
      this.lastRevision = revision;
      // A clean state (just loaded, reloaded or saved) has nothing to autosave.
      if (revision === this.store.getState().savedRevision) this.scheduler.markSaved(revision);
      else this.scheduler.notifyChange();
    }
  }

  private async autosave(revision: number): Promise<boolean> {
    const { project, readOnly, revision: now } = this.store.getState();
    if (!project || readOnly) return false;
    const result = await this.studio.verbs.project.save({ project, revision: now, autosave: true });
    if (!result.ok) {
      this.reportError(result.error.message);
      return false;
    }
    return now >= revision;
  }

  /** One notice per minute at most: a full disk must not bury the user in identical messages. */
  private reportError(message: string): void {
    if (Date.now() - this.lastErrorAt < 60_000) return;
    this.lastErrorAt = Date.now();
    notify('warning', `Autosave failed: ${message}`);
  }
}

/**
 * The open project and its undo history. Every edit goes through `apply(label, recipe)`, so every edit is
 * undoable and marks the project dirty (autosave watches `revision`). Consecutive edits with the same
 * `coalesceKey` (a marker drag, typing in a prompt) merge into one undo step.
 */
import { useSyncExternalStore } from 'react';
import type { Project } from '@shared/domain/project';
import { Observable } from './emitter';

const MAX_UNDO_STEPS = 200;

/**
 * Coalesce key of a song import: the import and the beat detection of the new song that follows it are one
 * undo step (issue 23), so one Undo brings back the old song with its (user-edited) beats.
 */
export const SONG_IMPORT_EDIT = 'song-import';

interface HistoryEntry {
  label: string;
  before: Project;
  coalesceKey: string | null;
}

export interface ProjectState {
  dir: string | null;
  project: Project | null;
  /** Increments on every change; equals `savedRevision` when nothing is unsaved. */
  revision: number;
  savedRevision: number;
  readOnly: boolean;
  past: HistoryEntry[];
  future: HistoryEntry[];
}

const initial: ProjectState = { dir: null, project: null, revision: 0, savedRevision: 0, readOnly: false, past: [], future: [] };

export class ProjectStore extends Observable<ProjectState> {
  constructor() {
    super(initial);
  }

  load(dir: string, project: Project, options: { readOnly?: boolean } = {}): void {
    this.set({ ...initial, dir, project, readOnly: options.readOnly ?? false, revision: this.state.revision + 1, savedRevision: this.state.revision + 1 });
  }

  close(): void {
    this.set({ ...initial, revision: this.state.revision + 1, savedRevision: this.state.revision + 1 });
  }

  apply(label: string, recipe: (project: Project) => Project, options: { coalesceKey?: string } = {}): boolean {
    const { project, past, readOnly } = this.state;
    if (!project || readOnly) return false;
    const next = recipe(project);
    if (next === project) return false;
    const key = options.coalesceKey ?? null;
    const last = past[past.length - 1];
    const merged = key !== null && last?.coalesceKey === key;
    const nextPast = merged ? past : [...past, { label, before: project, coalesceKey: key }].slice(-MAX_UNDO_STEPS);
    this.set({ ...this.state, project: next, past: nextPast, future: [], revision: this.state.revision + 1 });
    return true;
  }

  /** Ends coalescing (e.g. on pointer up) so the next edit starts a new undo step. */
  seal(): void {
    const last = this.state.past[this.state.past.length - 1];
    if (last?.coalesceKey) this.set({ ...this.state, past: [...this.state.past.slice(0, -1), { ...last, coalesceKey: null }] });
  }

  undo(): string | null {
    const { past, future, project } = this.state;
    const entry = past[past.length - 1];
    if (!entry || !project) return null;
    this.set({ ...this.state, project: entry.before, past: past.slice(0, -1), future: [{ ...entry, before: project, coalesceKey: null }, ...future], revision: this.state.revision + 1 });
    return entry.label;
  }

  redo(): string | null {
    const { past, future, project } = this.state;
    const entry = future[0];
    if (!entry || !project) return null;
    this.set({ ...this.state, project: entry.before, future: future.slice(1), past: [...past, { ...entry, before: project }], revision: this.state.revision + 1 });
    return entry.label;
  }

  markSaved(revision: number): void {
    this.set({ ...this.state, savedRevision: revision });
  }

  get dirty(): boolean {
    return this.state.revision !== this.state.savedRevision;
  }
}

export const projectStore = new ProjectStore();

export function useProjectState<T>(select: (s: ProjectState) => T): T {
  return useSyncExternalStore(projectStore.subscribe, () => select(projectStore.getState()));
}

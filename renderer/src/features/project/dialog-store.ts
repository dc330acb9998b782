/** Which project dialog is open; flows `await` the user's answer through the promises kept here. */
import { useSyncExternalStore } from 'react';
import type { RecoveryReport } from '@shared/contract/project';
import { Observable } from '../../state/emitter';

export type FolderMode = 'new' | 'open' | 'saveAs';
export type UnsavedAnswer = 'save' | 'discard' | 'cancel';
export interface FolderAnswer {
  dir: string;
  name: string;
}

export type ProjectDialog =
  | { kind: 'none' }
  | { kind: 'folder'; mode: FolderMode; initialName: string; resolve: (answer: FolderAnswer | null) => void }
  | { kind: 'unsaved'; projectName: string; resolve: (answer: UnsavedAnswer) => void }
  | { kind: 'recovery'; dir: string; report: RecoveryReport | null; error: string | null; reason: string };

class DialogStore extends Observable<ProjectDialog> {
  constructor() {
    super({ kind: 'none' });
  }
  show(dialog: ProjectDialog): void {
    this.set(dialog);
  }
  close(): void {
    this.set({ kind: 'none' });
  }
}

export const projectDialogs = new DialogStore();
export const useProjectDialog = () => useSyncExternalStore(projectDialogs.subscribe, projectDialogs.getState);

export const askFolder = (mode: FolderMode, initialName = ''): Promise<FolderAnswer | null> =>
  new Promise((resolve) => projectDialogs.show({ kind: 'folder', mode, initialName, resolve: (a) => (projectDialogs.close(), resolve(a)) }));

export const askUnsaved = (projectName: string): Promise<UnsavedAnswer> =>
  new Promise((resolve) => projectDialogs.show({ kind: 'unsaved', projectName, resolve: (a) => (projectDialogs.close(), resolve(a)) }));

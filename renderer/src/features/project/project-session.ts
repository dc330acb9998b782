/**
 * The project flows of the UI, over `studio.verbs.project.*`: every result lands in the project store, every
 * error value becomes a notice, and nothing is closed or replaced while it has unsaved changes without asking.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import type { OpenedProject } from '@shared/contract/project';
import { newJobId } from '../../bridge/index';
import { notify, notifyError } from '../../state/notifications';
import { projectStore, type ProjectStore } from '../../state/project-store';
import type { AutosaveController } from './autosave-controller';
import { askFolder, askUnsaved, projectDialogs } from './dialog-store';

let autosave: AutosaveController | null = null;
export const attachAutosave = (controller: AutosaveController | null) => {
  autosave = controller;
};

/** Codes after which the recovery dialog can help (the saved file is damaged or unreadable). */
const RECOVERABLE_CODES = new Set(['PROJECT_CORRUPT', 'PROJECT_INVALID', 'PROJECT_TOO_LARGE']);

function load(store: ProjectStore, opened: OpenedProject): void {
  store.load(opened.dir, opened.project, { readOnly: opened.readOnly });
  if (opened.readOnly && opened.readOnlyReason) notify('warning', opened.readOnlyReason, 'PROJECT_READ_ONLY');
  if (opened.migratedFrom !== null) notify('info', `Upgraded "${opened.project.name}" from project format ${opened.migratedFrom}; the original is kept in backups/.`);
  for (const w of opened.warnings.slice(0, 3)) notify('warning', w);
}

/** Saves or discards unsaved changes, as the user chooses; false when they cancelled. */
export async function settleUnsaved(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  const { project, readOnly } = store.getState();
  if (!project || !store.dirty) return true;
  const answer = await askUnsaved(project.name);
  if (answer === 'cancel') return false;
  if (answer === 'save') return readOnly ? saveAs(studio, store) : saveNow(studio, store);
  return true;
}

export async function openProject(studio: StudioBridge, dir: string, store: ProjectStore = projectStore): Promise<boolean> {
  if (!(await settleUnsaved(studio, store))) return false;
  await closeOnServer(studio, store);
  const result = await studio.verbs.project.open({ dir });
  if (!result.ok) {
    notifyError(result.error);
    if (RECOVERABLE_CODES.has(result.error.code)) await showRecovery(studio, dir, result.error.message);
    return false;
  }
  load(store, result.value);
  if (result.value.recovery.available) await showRecovery(studio, result.value.dir, 'MuseDance did not close this project cleanly last time; newer work was found.');
  return true;
}

export async function newProject(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  if (!(await settleUnsaved(studio, store))) return false;
  const answer = await askFolder('new');
  if (!answer) return false;
  await closeOnServer(studio, store);
  const result = await studio.verbs.project.new({ dir: answer.dir, name: answer.name || answer.dir.split(/[\\/]/).filter(Boolean).pop() || 'Untitled' });
  if (!result.ok) return notifyError(result.error), false;
  load(store, result.value);
  return true;
}

export async function openWithDialog(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  const answer = await askFolder('open');
  return answer ? openProject(studio, answer.dir, store) : false;
}

export async function saveNow(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  const { project, revision, readOnly } = store.getState();
  if (!project) return false;
  if (readOnly) {
    notify('info', 'This project is open read-only: choose a new folder to save your changes.');
    return saveAs(studio, store);
  }
  const result = await studio.verbs.project.save({ project, revision, autosave: false });
  if (!result.ok) return notifyError(result.error), false;
  store.markSaved(revision);
  autosave?.markSaved(revision);
  notify('success', `Saved "${project.name}".`);
  return true;
}

export async function saveAs(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  const { project, revision } = store.getState();
  if (!project) return false;
  const answer = await askFolder('saveAs', project.name);
  if (!answer) return false;
  const result = await studio.verbs.project.saveAs({ dir: answer.dir, project, revision, name: answer.name || project.name }, { jobId: newJobId('save-as') });
  if (!result.ok) return notifyError(result.error), false;
  load(store, result.value);
  notify('success', `Saved as "${result.value.project.name}" in ${result.value.dir}.`);
  return true;
}

export async function closeProject(studio: StudioBridge, store: ProjectStore = projectStore): Promise<boolean> {
  if (!store.getState().project) return false;
  if (!(await settleUnsaved(studio, store))) return false;
  await closeOnServer(studio, store);
  store.close();
  return true;
}

/** The user already decided about unsaved changes: the server may drop its autosave. */
async function closeOnServer(studio: StudioBridge, store: ProjectStore): Promise<void> {
  if (!store.getState().project) return;
  const result = await studio.verbs.project.close({ discardUnsaved: true });
  if (!result.ok) notifyError(result.error);
}

export async function showRecovery(studio: StudioBridge, dir: string, reason: string): Promise<void> {
  projectDialogs.show({ kind: 'recovery', dir, report: null, error: null, reason });
  const report = await studio.verbs.project.inspect({ dir });
  projectDialogs.show({ kind: 'recovery', dir, report: report.ok ? report.value : null, error: report.ok ? null : report.error.message, reason });
}

/** Restores a copy (or, with null, keeps the saved version and drops the autosave) and loads the result. */
export async function recover(studio: StudioBridge, dir: string, candidateId: string | null, store: ProjectStore = projectStore): Promise<boolean> {
  const result = await studio.verbs.project.recover({ dir, candidateId });
  projectDialogs.close();
  if (!result.ok) return notifyError(result.error), false;
  load(store, result.value);
  notify('success', candidateId ? `Restored "${result.value.project.name}" from ${candidateId === 'autosave' ? 'the autosave' : 'a backup'}.` : 'Kept the saved version.');
  return true;
}

/** After any load (including the empty state's New/Open), pick up read-only state and crash recovery. */
export async function afterProjectLoaded(studio: StudioBridge, dir: string, store: ProjectStore = projectStore): Promise<void> {
  const current = await studio.verbs.project.current({});
  if (!current.ok || !current.value.open || current.value.open.dir !== dir) return;
  const opened = current.value.open;
  if (opened.readOnly && !store.getState().readOnly) load(store, opened);
  if (opened.recovery.available && projectDialogs.getState().kind === 'none') {
    await showRecovery(studio, dir, 'MuseDance did not close this project cleanly last time; newer work was found.');
  }
}

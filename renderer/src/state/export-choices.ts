/**
 * The export dialog's choices (issue 23): size/aspect/fit, interpolation, range, trim, format. Cross-feature
 * state: the generate feature's dialog edits them, the media feature's settings recall restores them from an
 * exported file (they travel inside it as `GenerationSettings.export`).
 */
import { useSyncExternalStore } from 'react';
import type { ExportChoices } from '@shared/domain/media';
import { Observable } from './emitter';

export const DEFAULT_EXPORT_CHOICES: ExportChoices = { upscale: 1, aspect: 'native', fit: 'crop', interpolateFps: null, trimToSong: true, range: 'song', format: 'mp4' };

class ExportChoicesStore extends Observable<ExportChoices> {
  constructor() {
    super(DEFAULT_EXPORT_CHOICES);
  }
  update(patch: Partial<ExportChoices>): void {
    this.set({ ...this.state, ...patch });
  }
}

export const exportChoices = new ExportChoicesStore();
export const useExportChoices = () => useSyncExternalStore(exportChoices.subscribe, exportChoices.getState);

/**
 * Whether the export dialog is open, and the segments it was opened for (the "selected segments" range): the
 * generate panel opens it for the whole song, the timeline for its selected segments.
 */
class ExportDialogStore extends Observable<{ open: boolean; selection: ReadonlySet<string> }> {
  constructor() {
    super({ open: false, selection: new Set() });
  }
  open(selection: ReadonlySet<string> = new Set()): void {
    this.set({ open: true, selection });
  }
  close(): void {
    this.set({ ...this.state, open: false });
  }
}

export const exportDialog = new ExportDialogStore();
export const useExportDialog = () => useSyncExternalStore(exportDialog.subscribe, exportDialog.getState);

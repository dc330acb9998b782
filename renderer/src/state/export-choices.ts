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

/** The import in progress (one at a time): what is being imported, how far, and how to cancel it. */
import { useSyncExternalStore } from 'react';
import { Observable } from '../../state/emitter';

export type ImportKind = 'image' | 'song';

export interface ImportJob {
  fileName: string;
  kind: ImportKind;
  phase: 'upload' | 'import';
  /** 0..1 over both phases; null when unknown. */
  fraction: number | null;
  message: string;
}

class ImportStore extends Observable<ImportJob | null> {
  private controller: AbortController | null = null;

  constructor() {
    super(null);
  }

  begin(job: ImportJob): AbortSignal {
    this.controller?.abort();
    this.controller = new AbortController();
    this.set(job);
    return this.controller.signal;
  }

  update(patch: Partial<ImportJob>): void {
    if (this.state) this.set({ ...this.state, ...patch });
  }

  end(): void {
    this.controller = null;
    this.set(null);
  }

  cancel(): boolean {
    if (!this.controller) return false;
    this.controller.abort();
    return true;
  }
}

export const importStore = new ImportStore();
export const useImportJob = () => useSyncExternalStore(importStore.subscribe, importStore.getState);

/** The hidden file input the "Import…" action opens (one per mounted panel). */
export const FILE_INPUT_ID = 'media-import-file-input';

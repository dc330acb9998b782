/**
 * Generation settings recalled from a dropped export (MP4/WebM written by the studio). Applying them copies
 * each recorded segment's prompt and seed onto the project segment that starts at the same frame, as one
 * undoable edit; segments that do not line up are left alone and counted.
 */
// Relative (not @shared) so Node unit tests and the root typecheck resolve it too.
import type { GenerationSettings } from '../../../../electron/shared/domain/media';
import type { Project } from '../../../../electron/shared/domain/project';
import { Observable } from '../../state/emitter';
import { useSyncExternalStore } from 'react';

export interface RecalledSettings {
  fileName: string;
  settings: GenerationSettings;
}

class RecallStore extends Observable<RecalledSettings | null> {
  constructor() {
    super(null);
  }
  show(recalled: RecalledSettings): void {
    this.set(recalled);
  }
  close(): void {
    this.set(null);
  }
}

export const recallStore = new RecallStore();
export const useRecalledSettings = () => useSyncExternalStore(recallStore.subscribe, recallStore.getState);

/** The project with recorded prompts/seeds copied onto segments with the same start frame, and how many matched. */
export function applyRecalledSettings(project: Project, settings: GenerationSettings): { project: Project; matched: number } {
  const byStart = new Map(settings.segments.map((s) => [s.startFrame, s]));
  let matched = 0;
  const segments = project.segments.map((segment) => {
    const recorded = byStart.get(segment.startFrame);
    if (!recorded) return segment;
    matched++;
    return { ...segment, prompt: recorded.prompt, seed: recorded.seed };
  });
  return { project: matched ? { ...project, segments } : project, matched };
}

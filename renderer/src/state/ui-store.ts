/** Shell UI state that is not part of the project (and so not undoable): current view, open dialogs. */
import { useSyncExternalStore } from 'react';
import { Observable } from './emitter';

export type ViewId = 'studio' | 'training' | 'system';

export interface UiState {
  view: ViewId;
  paletteOpen: boolean;
  shortcutsOpen: boolean;
}

class UiStore extends Observable<UiState> {
  constructor() {
    super({ view: 'studio', paletteOpen: false, shortcutsOpen: false });
  }
  update(patch: Partial<UiState>): void {
    this.set({ ...this.state, ...patch });
  }
}

export const uiStore = new UiStore();
export function useUi<T>(select: (s: UiState) => T): T {
  return useSyncExternalStore(uiStore.subscribe, () => select(uiStore.getState()));
}

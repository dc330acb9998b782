/**
 * A yes/no question asked while an import waits (issue 23 #1: a dropped video would replace the song; the user
 * is asked first). `ConfirmDialog.tsx` shows it; Escape or Cancel answers no.
 */
import { useSyncExternalStore } from 'react';
import { Observable } from '../../state/emitter';

export interface ConfirmQuestion {
  title: string;
  message: string;
  confirmLabel: string;
  answer(yes: boolean): void;
}

class ConfirmStore extends Observable<ConfirmQuestion | null> {
  constructor() {
    super(null);
  }
  ask(question: Omit<ConfirmQuestion, 'answer'>): Promise<boolean> {
    this.state?.answer(false);
    return new Promise((resolve) => {
      this.set({
        ...question,
        answer: (yes) => {
          this.set(null);
          resolve(yes);
        },
      });
    });
  }
  dismiss(): void {
    this.state?.answer(false);
  }
}

export const confirmStore = new ConfirmStore();
export const useConfirmQuestion = () => useSyncExternalStore(confirmStore.subscribe, confirmStore.getState);

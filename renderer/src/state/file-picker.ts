/**
 * The file and folder picker question (issue 23 #10): features ask `filePicker.ask(...)` and get an absolute
 * path or null; the app mounts one dialog that answers (a server-side browser of the user's files in the
 * browser host). Recent places are remembered in localStorage so the next pick starts where the last ended.
 */
import { useSyncExternalStore } from 'react';
import { Observable } from './emitter';

export type PickMode = 'file' | 'folder' | 'save';

export interface PickQuestion {
  mode: PickMode;
  title: string;
  /** Files shown as pickable (others are greyed): lower-case extensions without the dot; empty = any. */
  extensions?: string[];
  /** Save mode: the proposed file name. */
  suggestedName?: string;
  /** Folder to start in (else the most recent place). */
  startDir?: string;
  /** Several files may be picked (file mode). */
  multiple?: boolean;
  answer(paths: string[] | null): void;
}

const RECENT_KEY = 'musedance.recentPlaces';
const MAX_RECENT = 8;

export function recentPlaces(): string[] {
  try {
    const list = JSON.parse(globalThis.localStorage?.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function rememberPlace(dir: string): void {
  try {
    globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify([dir, ...recentPlaces().filter((d) => d !== dir)].slice(0, MAX_RECENT)));
  } catch {
    // private mode: recent places are a convenience only
  }
}

class FilePickerStore extends Observable<PickQuestion | null> {
  constructor() {
    super(null);
  }
  /** Asks for paths; resolves null on Cancel. */
  askMany(question: Omit<PickQuestion, 'answer'>): Promise<string[] | null> {
    this.state?.answer(null);
    return new Promise((resolve) => {
      this.set({
        ...question,
        answer: (paths) => {
          this.set(null);
          resolve(paths);
        },
      });
    });
  }
  async ask(question: Omit<PickQuestion, 'answer' | 'multiple'>): Promise<string | null> {
    const paths = await this.askMany(question);
    return paths?.[0] ?? null;
  }
}

export const filePicker = new FilePickerStore();
export const usePickQuestion = () => useSyncExternalStore(filePicker.subscribe, filePicker.getState);

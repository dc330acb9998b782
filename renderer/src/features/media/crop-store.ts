/**
 * The crop box question asked while an image import waits: the dialog shows the dropped picture, the user
 * frames the dancer, and the import continues with that box (or stops on Cancel).
 */
import { useSyncExternalStore } from 'react';
import { Observable } from '../../state/emitter';

export interface CropBoxPx {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CropQuestion {
  /** URL of the staged picture (served from the project). */
  src: string;
  fileName: string;
  /** Width / height of the prepared image the box must match. */
  aspect: number;
  answer(crop: CropBoxPx | null): void;
}

class CropStore extends Observable<CropQuestion | null> {
  constructor() {
    super(null);
  }
  ask(question: Omit<CropQuestion, 'answer'>): Promise<CropBoxPx | null> {
    return new Promise((resolve) => {
      this.set({
        ...question,
        answer: (crop) => {
          this.set(null);
          resolve(crop);
        },
      });
    });
  }
  /** Closes an open question as cancelled (the import was cancelled elsewhere). */
  dismiss(): void {
    this.state?.answer(null);
  }
}

export const cropStore = new CropStore();
export const useCropQuestion = () => useSyncExternalStore(cropStore.subscribe, cropStore.getState);

/** Largest box of `aspect` centred in a `w` x `h` picture (what the dialog starts with). */
export function centredBox(w: number, h: number, aspect: number): CropBoxPx {
  let width = w;
  let height = Math.round(w / aspect);
  if (height > h) {
    height = h;
    width = Math.round(h * aspect);
  }
  return { x: Math.floor((w - width) / 2), y: Math.floor((h - height) / 2), width, height };
}

/** Keeps a box of fixed aspect inside the picture after a move or a resize about its centre. */
export function clampBox(box: CropBoxPx, w: number, h: number): CropBoxPx {
  const width = Math.max(1, Math.min(box.width, w));
  const height = Math.max(1, Math.min(box.height, h));
  const x = Math.round(Math.min(Math.max(0, box.x), w - width));
  const y = Math.round(Math.min(Math.max(0, box.y), h - height));
  return { x, y, width: Math.round(width), height: Math.round(height) };
}

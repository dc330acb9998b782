/**
 * Preview monitor state (issue 23): the assembled video of the kept takes (built by `generate.monitor`, cached
 * by the service) and the loop range. Playback itself is the timeline's playhead: the monitor follows it.
 */
import { useSyncExternalStore } from 'react';
import { Observable } from '../../state/emitter';

export interface MonitorState {
  /** Project-relative path of the assembled video, its frames and the song frame it starts at. */
  video: { path: string; frames: number; startFrame: number; key: string } | null;
  building: boolean;
  error: string | null;
  /** Looped range in song seconds (a segment or the selected segments), or null. */
  loop: { startSec: number; endSec: number } | null;
}

class MonitorStore extends Observable<MonitorState> {
  constructor() {
    super({ video: null, building: false, error: null, loop: null });
  }
  update(patch: Partial<MonitorState>): void {
    this.set({ ...this.state, ...patch });
  }
}

export const monitorStore = new MonitorStore();
export const useMonitor = <T,>(select: (s: MonitorState) => T): T => useSyncExternalStore(monitorStore.subscribe, () => select(monitorStore.getState()));

/** The frame a song time shows in the monitor, and the video time of its centre (seeking there is exact). */
export function monitorFrame(cursorSec: number, fps: number, startFrame: number, frames: number): { frame: number; videoSec: number } | null {
  const frame = Math.floor(cursorSec * fps + 1e-6) - startFrame;
  if (frame < 0 || frame >= frames) return null;
  return { frame, videoSec: (frame + 0.5) / fps };
}

/**
 * Timeline view state that is not part of the project (so not undoable): the song's analysis, zoom,
 * selection, playhead, toggles and tap-tempo taps. Project edits go through projectStore; this only says
 * what is looked at and chosen.
 */
import { useSyncExternalStore } from 'react';
import { Observable } from '../../state/emitter';
import type { TappedTempo } from './beat-ops';

export interface SongAnalysis {
  durationSec: number;
  /** Max |sample| per peak, 0..1, `peaksPerSec` of them per second (what wavesurfer draws). */
  peaks: Float32Array;
  peaksPerSec: number;
  onsetsSec: number[];
  beatsSec: number[];
  /** Per beat of `beatsSec`: the bar it starts when it is a downbeat, else null (all null when the tracker finds no bars). */
  downbeatBars: (number | null)[];
  /** Set when the default beat tracker could not run and another stood in: why (shown once as a warning). */
  trackerNote?: string;
  tempoBpm: number;
  confidence: number;
  /** Where finer peaks come from (`beats.peaks`) when the overview is too coarse for the zoom. */
  peakSource: { path: string; sampleRate: number; availableSamplesPerPeak: number[] };
}

export type AnalysisState =
  | { status: 'none' }
  | { status: 'loading'; message: string; fraction: number | null }
  | { status: 'ready'; analysis: SongAnalysis }
  | { status: 'error'; code: string; message: string };

export interface TimelineState {
  analysis: AnalysisState;
  /** Zoom: horizontal pixels per second of song. */
  pxPerSec: number;
  /** Selected beat ids. */
  selectedBeats: ReadonlySet<string>;
  /** Time span last box-selected (re-detection works on it). */
  regionSec: { startSec: number; endSec: number } | null;
  selectedSegments: ReadonlySet<string>;
  /** Index of the segment a Shift+click range starts from. */
  segmentAnchor: number | null;
  cursorSec: number;
  /** Visible window, reported by the waveform (scroll bar, keyboard navigation). */
  viewStartSec: number;
  viewWidthSec: number;
  playing: boolean;
  followPlayhead: boolean;
  metronome: boolean;
  tapsSec: number[];
  tapped: TappedTempo | null;
  markerDialog: 'export' | 'import' | null;
  /** Bumped to ask the segment inspector to focus its prompt field. */
  promptFocusRequest: number;
}

export const MIN_PX_PER_SEC = 2;
export const MAX_PX_PER_SEC = 2000;
export const DEFAULT_PX_PER_SEC = 60;

const initial: TimelineState = {
  analysis: { status: 'none' },
  pxPerSec: DEFAULT_PX_PER_SEC,
  selectedBeats: new Set(),
  regionSec: null,
  selectedSegments: new Set(),
  segmentAnchor: null,
  cursorSec: 0,
  viewStartSec: 0,
  viewWidthSec: 0,
  playing: false,
  followPlayhead: true,
  metronome: false,
  tapsSec: [],
  tapped: null,
  markerDialog: null,
  promptFocusRequest: 0,
};

class TimelineStore extends Observable<TimelineState> {
  constructor() {
    super(initial);
  }
  update(patch: Partial<TimelineState>): void {
    this.set({ ...this.state, ...patch });
  }
  reset(): void {
    this.set({ ...initial, selectedBeats: new Set(), selectedSegments: new Set() });
  }
}

export const timelineStore = new TimelineStore();

export function useTimeline<T>(select: (s: TimelineState) => T): T {
  return useSyncExternalStore(timelineStore.subscribe, () => select(timelineStore.getState()));
}

export const readyAnalysis = (): SongAnalysis | null => {
  const a = timelineStore.getState().analysis;
  return a.status === 'ready' ? a.analysis : null;
};

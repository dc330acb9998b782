/** Vertical lanes of the timeline (CSS pixels, top to bottom) and the time <-> x mapping they share. */
export const LANES = {
  rulerH: 22,
  beatLaneH: 22,
  waveH: 128,
  gridH: 30,
  segmentH: 30,
} as const;

export const laneTops = {
  ruler: 0,
  beatLane: LANES.rulerH,
  wave: LANES.rulerH + LANES.beatLaneH,
  grid: LANES.rulerH + LANES.beatLaneH + LANES.waveH,
  segments: LANES.rulerH + LANES.beatLaneH + LANES.waveH + LANES.gridH,
} as const;

export const TIMELINE_HEIGHT = laneTops.segments + LANES.segmentH;

export type LaneName = keyof typeof laneTops;

export function laneAt(y: number): LaneName {
  if (y < laneTops.beatLane) return 'ruler';
  if (y < laneTops.wave) return 'beatLane';
  if (y < laneTops.grid) return 'wave';
  if (y < laneTops.segments) return 'grid';
  return 'segments';
}

/** The visible window: which second sits at x = 0 and how many pixels a second takes. */
export interface ViewWindow {
  startSec: number;
  pxPerSec: number;
  widthPx: number;
}

export const timeToX = (v: ViewWindow, t: number) => (t - v.startSec) * v.pxPerSec;
export const xToTime = (v: ViewWindow, x: number) => v.startSec + x / v.pxPerSec;
export const visibleEndSec = (v: ViewWindow) => v.startSec + v.widthPx / v.pxPerSec;

/** Ruler step (seconds) giving labels at least `minGapPx` apart. */
export function rulerStepSec(pxPerSec: number, minGapPx = 70): number {
  const steps = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
  return steps.find((s) => s * pxPerSec >= minGapPx) ?? 1200;
}

export function formatClock(timeSec: number, stepSec: number): string {
  const m = Math.floor(timeSec / 60);
  const s = timeSec - m * 60;
  // Enough digits for the step itself: a 0.25 s grid labels 10.25 as 0:10.25, not 0:10.3 (issue 23 #12).
  const digits = stepSec < 0.1 || !Number.isInteger(Math.round(stepSec * 1e6) / 1e5) ? 2 : stepSec < 1 || !Number.isInteger(stepSec) ? 1 : 0;
  const sec = s.toFixed(digits).padStart(digits ? 3 + digits : 2, '0');
  return `${m}:${sec}`;
}

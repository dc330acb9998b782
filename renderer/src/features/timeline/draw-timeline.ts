/**
 * Draws the timeline overlay (ruler, beat lane, beat lines, frame grid with one-hot cells, segment lane,
 * box selection) for the visible window only: cost grows with what is on screen, not with the song, so a
 * 10-minute song with thousands of beats redraws in well under a frame.
 */
import type { BeatMarker, Segment } from '@shared/domain/project';
import { lowerBound } from './beat-ops';
import type { SeamBadge } from '../../shared/seam-badges';
import { beatFrame } from './frame-model';
import { LANES, laneTops, formatClock, rulerStepSec, timeToX, visibleEndSec, type ViewWindow } from './lane-layout';

export interface DrawInput {
  view: ViewWindow;
  heightPx: number;
  durationSec: number;
  fps: number;
  beats: readonly BeatMarker[];
  selected: ReadonlySet<string>;
  /** Beats being dragged, drawn shifted by deltaSec; `grabbedId` gets a time/frame readout. */
  drag: { ids: ReadonlySet<string>; deltaSec: number; grabbedId: string } | null;
  segments: readonly Segment[];
  selectedSegments: ReadonlySet<string>;
  box: { x0: number; x1: number; y0: number; y1: number } | null;
  focusedBeatId: string | null;
  /** Seam QA of each segment's kept take, by segment id (drawn on the boundary where the segment starts). */
  seams: ReadonlyMap<string, SeamBadge>;
}

export const COLOURS = {
  background: '#15171c',
  ruler: '#1f2229',
  rulerText: '#9aa3b2',
  tick: '#3a404c',
  detected: '#56c8e8',
  user: '#ffb86b',
  selected: '#ffffff',
  anchor: '#ff5c7a',
  frameTick: '#2b303a',
  oneHot: '#8ab4ff',
  segmentText: '#0d0f12',
  boundary: 'rgba(255,255,255,0.35)',
  box: 'rgba(138,180,255,0.18)',
  boxEdge: '#8ab4ff',
  seamOk: '#5fd38d',
  seamWarn: '#ffb020',
  seamRing: '#0d0f12',
  downbeat: '#e6f3ff',
  barLabelBg: 'rgba(13,15,18,0.75)',
} as const;

/** Radius of a seam badge (CSS px): big enough to see at any zoom, small enough not to hide the prompt. */
const SEAM_BADGE_R = 5;

/** What a draw put on screen that tests and assistive tools read back (the canvas itself is pixels). */
export interface DrawReport {
  /** Bar numbers labelled at downbeats, left to right. */
  barLabels: number[];
}

export function drawTimeline(ctx: CanvasRenderingContext2D, input: DrawInput): DrawReport {
  const { view, heightPx } = input;
  ctx.clearRect(0, 0, view.widthPx, heightPx);
  drawRuler(ctx, input);
  drawSegments(ctx, input);
  drawFrameGrid(ctx, input);
  drawBeats(ctx, input);
  const barLabels = drawBars(ctx, input);
  if (input.box) {
    const { x0, x1, y0, y1 } = input.box;
    ctx.fillStyle = COLOURS.box;
    ctx.fillRect(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.strokeStyle = COLOURS.boxEdge;
    ctx.strokeRect(Math.min(x0, x1) + 0.5, Math.min(y0, y1) + 0.5, Math.abs(x1 - x0), Math.abs(y1 - y0));
  }
  return { barLabels };
}

/**
 * Downbeats: a solid line through the waveform and the bar number at its top, so bars read like a DAW's.
 * Zoomed out, numbers that would overlap are skipped (the line stays); returns the numbers drawn.
 */
function drawBars(ctx: CanvasRenderingContext2D, input: DrawInput): number[] {
  const { view, beats, drag } = input;
  const [from, to] = visibleSlice(beats, (b) => b.timeSec, view, 2);
  const lines = new Path2D();
  const labels: Array<[number, number]> = [];
  let lastLabelEnd = -Infinity;
  ctx.font = 'bold 10px system-ui, sans-serif';
  for (let i = from; i < to; i++) {
    const b = beats[i]!;
    if (b.bar === undefined) continue;
    const t = drag?.ids.has(b.id) ? Math.max(0, b.timeSec + drag.deltaSec) : b.timeSec;
    const x = Math.round(timeToX(view, t)) + 0.5;
    if (x < -10 || x > view.widthPx + 10) continue;
    lines.moveTo(x, laneTops.wave);
    lines.lineTo(x, laneTops.grid);
    const width = ctx.measureText(String(b.bar)).width + 6;
    if (x + 2 >= lastLabelEnd) {
      labels.push([b.bar, x]);
      lastLabelEnd = x + 2 + width;
    }
  }
  if (labels.length === 0 && from === to) return [];
  ctx.strokeStyle = COLOURS.downbeat;
  ctx.lineWidth = 1.5;
  ctx.stroke(lines);
  ctx.lineWidth = 1;
  ctx.textBaseline = 'top';
  for (const [bar, x] of labels) {
    const text = String(bar);
    const w = ctx.measureText(text).width + 4;
    ctx.fillStyle = COLOURS.barLabelBg;
    ctx.fillRect(x + 1, laneTops.wave + 1, w, 13);
    ctx.fillStyle = COLOURS.downbeat;
    ctx.fillText(text, x + 3, laneTops.wave + 2);
  }
  return labels.map(([bar]) => bar);
}

function drawRuler(ctx: CanvasRenderingContext2D, { view }: DrawInput): void {
  ctx.fillStyle = COLOURS.ruler;
  ctx.fillRect(0, 0, view.widthPx, LANES.rulerH);
  const step = rulerStepSec(view.pxPerSec);
  const minor = step / 5;
  const end = visibleEndSec(view);
  ctx.fillStyle = COLOURS.rulerText;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.strokeStyle = COLOURS.tick;
  ctx.beginPath();
  for (let i = Math.floor(view.startSec / minor); i * minor <= end; i++) {
    const t = i * minor;
    const x = Math.round(timeToX(view, t)) + 0.5;
    const major = i % 5 === 0;
    ctx.moveTo(x, major ? 4 : LANES.rulerH - 6);
    ctx.lineTo(x, LANES.rulerH);
    if (major) ctx.fillText(formatClock(t, step), x + 3, 9);
  }
  ctx.stroke();
}

function visibleSlice<T>(items: readonly T[], at: (t: T) => number, view: ViewWindow, marginSec: number): [number, number] {
  const from = lowerBound(items, view.startSec - marginSec, at);
  const to = lowerBound(items, visibleEndSec(view) + marginSec, at);
  return [from, to];
}

function drawSegments(ctx: CanvasRenderingContext2D, input: DrawInput): void {
  const { view, segments, fps, heightPx } = input;
  const top = laneTops.segments;
  const [from, to] = visibleSlice(segments, (s) => (s.startFrame + s.frames) / fps, view, 0);
  const last = Math.min(to, segments.length - 1);
  // Boundaries through the waveform and grid (where one generated clip hands over to the next): one path.
  const boundaries = new Path2D();
  for (let i = from; i <= last; i++) {
    const s = segments[i]!;
    const x0 = timeToX(view, s.startFrame / fps);
    const x1 = timeToX(view, (s.startFrame + s.frames) / fps);
    const selected = input.selectedSegments.has(s.id);
    ctx.globalAlpha = selected ? 0.95 : 0.55;
    ctx.fillStyle = s.colour;
    ctx.fillRect(x0 + 1, top + 3, Math.max(1, x1 - x0 - 2), LANES.segmentH - 6);
    const bx = Math.round(x0) + 0.5;
    boundaries.moveTo(bx, laneTops.beatLane);
    boundaries.lineTo(bx, heightPx);
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = COLOURS.boundary;
  ctx.setLineDash([2, 3]);
  ctx.stroke(boundaries);
  ctx.setLineDash([]);
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let i = from; i <= last; i++) {
    const s = segments[i]!;
    const x0 = timeToX(view, s.startFrame / fps);
    const x1 = timeToX(view, (s.startFrame + s.frames) / fps);
    if (input.selectedSegments.has(s.id)) {
      ctx.strokeStyle = COLOURS.selected;
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 + 2, top + 4, Math.max(1, x1 - x0 - 4), LANES.segmentH - 8);
      ctx.lineWidth = 1;
    }
    if (x1 - x0 > 40) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0 + 4, top, x1 - x0 - 8, LANES.segmentH);
      ctx.clip();
      ctx.fillStyle = COLOURS.segmentText;
      ctx.fillText(`${i + 1}  ${s.prompt || '(no prompt)'}`, Math.max(x0, 0) + 6 + (input.seams.has(s.id) ? SEAM_BADGE_R * 2 : 0), top + LANES.segmentH / 2);
      ctx.restore();
    }
  }
  drawSeamBadges(ctx, input, from, last);
}

/**
 * Seam QA on the timeline: a dot on each segment's start boundary (green: the take continues smoothly and stays
 * near the reference; amber: check it), and a thin bar along the bottom of the segment in the same colour.
 */
function drawSeamBadges(ctx: CanvasRenderingContext2D, input: DrawInput, from: number, last: number): void {
  const { view, segments, fps } = input;
  const top = laneTops.segments;
  for (let i = from; i <= last; i++) {
    const s = segments[i]!;
    const badge = input.seams.get(s.id);
    if (!badge) continue;
    const x0 = timeToX(view, s.startFrame / fps);
    const x1 = timeToX(view, (s.startFrame + s.frames) / fps);
    const colour = badge.warn || badge.stale ? COLOURS.seamWarn : COLOURS.seamOk;
    ctx.fillStyle = colour;
    ctx.fillRect(x0 + 1, top + LANES.segmentH - 6, Math.max(1, x1 - x0 - 2), 3);
    ctx.beginPath();
    ctx.arc(x0 + SEAM_BADGE_R + 2, top + LANES.segmentH / 2, SEAM_BADGE_R, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = COLOURS.seamRing;
    ctx.stroke();
  }
}

function drawFrameGrid(ctx: CanvasRenderingContext2D, input: DrawInput): void {
  const { view, fps, beats, segments } = input;
  const top = laneTops.grid;
  const pxPerFrame = view.pxPerSec / fps;
  ctx.fillStyle = COLOURS.background;
  ctx.fillRect(0, top, view.widthPx, LANES.gridH);
  const firstFrame = Math.max(0, Math.floor(view.startSec * fps));
  const lastFrame = Math.ceil(visibleEndSec(view) * fps);
  const cellTop = top + LANES.gridH / 2;
  const cellH = LANES.gridH / 2 - 3;
  if (pxPerFrame >= 3) {
    const K = segments[0]?.frames ?? 48;
    ctx.strokeStyle = COLOURS.frameTick;
    ctx.beginPath();
    for (let f = firstFrame; f <= lastFrame; f++) {
      const x = Math.round(timeToX(view, f / fps)) + 0.5;
      ctx.moveTo(x, f % K === 0 ? top : cellTop);
      ctx.lineTo(x, cellTop + cellH);
    }
    ctx.stroke();
    ctx.fillStyle = COLOURS.rulerText;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    const labelEvery = Math.max(1, [1, 2, 4, 6, 12, 24, 48].find((n) => n * pxPerFrame >= 28) ?? 96);
    for (let f = Math.ceil(firstFrame / labelEvery) * labelEvery; f <= lastFrame; f += labelEvery) {
      ctx.fillText(String(f), timeToX(view, f / fps) + 2, top + 2);
    }
  }
  // One-hot cells: the frames where the model's beat module receives a 1.
  const [from, to] = visibleSlice(beats, (b) => b.timeSec, view, 1 / fps);
  const w = Math.max(2, pxPerFrame - 1);
  const cells = new Path2D();
  let lastX = -Infinity;
  for (let i = from; i < to; i++) {
    const x = Math.round(timeToX(view, beatFrame(beats[i]!.timeSec, fps) / fps) + (pxPerFrame >= 3 ? 1 : 0));
    if (x === lastX) continue;
    cells.rect(x, cellTop, w, cellH);
    lastX = x;
  }
  ctx.fillStyle = COLOURS.oneHot;
  ctx.fill(cells);
}

type BeatStyle = 'detected' | 'user' | 'selected';

function drawBeats(ctx: CanvasRenderingContext2D, input: DrawInput): void {
  const { view, beats, selected, drag, fps } = input;
  const [from, to] = visibleSlice(beats, (b) => b.timeSec, view, 2);
  const laneMid = laneTops.beatLane + LANES.beatLaneH / 2;
  const showFrames = view.pxPerSec / fps >= 6;
  // Paths batched per style: a few strokes per frame however many markers are on screen.
  const lines: Record<BeatStyle, Path2D> = { detected: new Path2D(), user: new Path2D(), selected: new Path2D() };
  const handles: Record<BeatStyle, Path2D> = { detected: new Path2D(), user: new Path2D(), selected: new Path2D() };
  const anchors = new Path2D();
  const labels: Array<[string, number]> = [];
  let focusX: number | null = null;
  // Dense (zoomed far out): markers closer than a handle's width are drawn as plain ticks, one per pixel
  // column and style, and without dashes (software canvas dashes cost more than everything else).
  const dense = to - from > view.widthPx / 8;
  const lastX: Record<BeatStyle, number> = { detected: NaN, user: NaN, selected: NaN };
  for (let i = from; i < to; i++) {
    const b = beats[i]!;
    const dragged = drag?.ids.has(b.id) ?? false;
    const t = dragged ? Math.max(0, b.timeSec + drag!.deltaSec) : b.timeSec;
    const x = Math.round(timeToX(view, t)) + 0.5;
    if (x < -10 || x > view.widthPx + 10) continue;
    const style: BeatStyle = selected.has(b.id) || dragged ? 'selected' : b.source;
    if (b.anchored) anchors.rect(x - 2, laneTops.beatLane + 1, 4, 4);
    if (b.id === input.focusedBeatId) focusX = x;
    if (dense) {
      if (x === lastX[style]) continue;
      lastX[style] = x;
      lines[style].moveTo(x, laneTops.wave);
      lines[style].lineTo(x, laneTops.grid);
      handles[style].rect(x - 0.5, laneMid - 5, 1, 10);
      continue;
    }
    lines[style].moveTo(x, laneTops.wave);
    lines[style].lineTo(x, laneTops.grid);
    const h = handles[style];
    if (b.source === 'user') {
      h.moveTo(x, laneMid - 6);
      h.lineTo(x + 5, laneMid);
      h.lineTo(x, laneMid + 6);
      h.lineTo(x - 5, laneMid);
      h.closePath();
    } else {
      h.moveTo(x - 5, laneMid - 5);
      h.lineTo(x + 5, laneMid - 5);
      h.lineTo(x, laneMid + 5);
      h.closePath();
    }
    if (showFrames) labels.push([`f${beatFrame(t, fps)}`, x + 7]);
  }
  ctx.strokeStyle = COLOURS.detected;
  if (dense) {
    ctx.globalAlpha = 0.6;
    ctx.stroke(lines.detected);
    ctx.globalAlpha = 1;
    ctx.fillStyle = COLOURS.detected;
    ctx.fill(handles.detected);
  } else {
    ctx.setLineDash([4, 3]);
    ctx.stroke(lines.detected);
    ctx.setLineDash([]);
    ctx.stroke(handles.detected);
  }
  ctx.strokeStyle = COLOURS.user;
  ctx.stroke(lines.user);
  ctx.fillStyle = COLOURS.user;
  ctx.fill(handles.user);
  ctx.strokeStyle = COLOURS.selected;
  ctx.fillStyle = COLOURS.selected;
  ctx.lineWidth = 2;
  ctx.stroke(lines.selected);
  ctx.lineWidth = 1;
  ctx.fill(handles.selected);
  ctx.fillStyle = COLOURS.anchor;
  ctx.fill(anchors);
  if (focusX !== null) {
    ctx.strokeStyle = COLOURS.selected;
    ctx.strokeRect(focusX - 8, laneTops.beatLane + 1, 16, LANES.beatLaneH - 2);
  }
  ctx.font = '10px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = COLOURS.rulerText;
  for (const [text, x] of labels) ctx.fillText(text, x, laneMid);
  if (drag) drawDragReadout(ctx, input, drag);
}

/** Where the grabbed beat would land: seconds and the model frame, next to it while dragging. */
function drawDragReadout(ctx: CanvasRenderingContext2D, { view, beats, fps }: DrawInput, drag: NonNullable<DrawInput['drag']>): void {
  const grabbed = beats.find((b) => b.id === drag.grabbedId);
  if (!grabbed) return;
  const t = Math.max(0, grabbed.timeSec + drag.deltaSec);
  const text = `${t.toFixed(3)} s · frame ${beatFrame(t, fps)}${drag.ids.size > 1 ? ` · ${drag.ids.size} beats` : ''}`;
  ctx.font = '12px system-ui, sans-serif';
  const w = ctx.measureText(text).width + 10;
  const x = Math.min(Math.max(0, timeToX(view, t) + 8), view.widthPx - w);
  const y = laneTops.wave + 4;
  ctx.fillStyle = 'rgba(13,15,18,0.85)';
  ctx.fillRect(x, y, w, 18);
  ctx.fillStyle = COLOURS.selected;
  ctx.fillText(text, x + 5, y + 9);
}

/**
 * The beat-marker layer, as a wavesurfer plugin: one canvas over the waveform (plus ruler, beat lane, frame
 * grid and segment lane) drawn for the visible window only, and the pointer gestures on it. It draws and
 * reports (typed events; every `on()` returns its unsubscribe, and destroy() drops them); the state layer
 * decides what an event changes. Drags are previewed here and reported once, so a drag is one undo step and
 * does not re-render React on every pointer move.
 */
import WaveSurfer from 'wavesurfer.js';
import type { BasePluginEvents } from 'wavesurfer.js/dist/base-plugin.js';
import type { BeatMarker, Segment } from '@shared/domain/project';
import { lowerBound } from './beat-ops';
import type { SeamBadge } from '../../shared/seam-badges';
import { drawTimeline, type DrawInput } from './draw-timeline';
import { laneAt, TIMELINE_HEIGHT, timeToX, xToTime, type ViewWindow } from './lane-layout';

export interface MarkerData {
  beats: readonly BeatMarker[];
  selected: ReadonlySet<string>;
  segments: readonly Segment[];
  selectedSegments: ReadonlySet<string>;
  fps: number;
  focusedBeatId: string | null;
  seams: ReadonlyMap<string, SeamBadge>;
}

export interface BeatMarkerOptions {
  /** Positioned element the overlay covers: all lanes, with the waveform in the `wave` lane. */
  host: HTMLElement;
  /** Where a dragged or added beat lands for a raw time (snapping to onsets unless `free`). */
  snap: (timeSec: number, free: boolean) => number;
}

export type BeatMarkerEvents = BasePluginEvents & {
  /** Click on empty beat lane. */
  'marker-add': [timeSec: number];
  'marker-select': [ids: string[], mode: 'replace' | 'toggle'];
  /** During a drag (preview only). */
  'marker-drag': [ids: string[], deltaSec: number];
  /** Drag released: move `ids` by `deltaSec`. */
  'marker-drag-end': [ids: string[], deltaSec: number];
  'box-select': [ids: string[], startSec: number, endSec: number, additive: boolean];
  seek: [timeSec: number];
  'segment-click': [timeSec: number, extend: boolean];
  'view-change': [view: ViewWindow];
};

/** Pixels within which a pointer grabs a beat. */
const GRAB_PX = 6;
/** Movement before a press becomes a drag or a box (so clicks stay clicks). */
const DRAG_THRESHOLD_PX = 3;
const WHEEL_ZOOM_STEP = 1.0015;

type Gesture =
  | { kind: 'idle' }
  | { kind: 'scrub' }
  | { kind: 'press-beat'; id: string; ids: string[]; originSec: number; x0: number; dragging: boolean; deltaSec: number; additive: boolean }
  | { kind: 'press-empty'; x0: number; y0: number; x1: number; y1: number; boxing: boolean; additive: boolean; lane: ReturnType<typeof laneAt> };

export const BeatMarkerPlugin = WaveSurfer.definePlugin<BeatMarkerOptions, BeatMarkerEvents, BeatMarkerApi>('beat-markers', (ctx, options) => {
  const ws = ctx.wavesurfer;
  const host = options.host;
  const canvas = document.createElement('canvas');
  canvas.style.cssText = `position:absolute;z-index:2;left:0;top:0;width:100%;height:${TIMELINE_HEIGHT}px;touch-action:none;`;
  canvas.dataset.testid = 'timeline-canvas';
  host.appendChild(canvas);
  const playhead = document.createElement('div');
  playhead.style.cssText = `position:absolute;z-index:3;top:0;left:0;width:2px;height:${TIMELINE_HEIGHT}px;background:#ff5c7a;pointer-events:none;will-change:transform;`;
  playhead.dataset.testid = 'playhead';
  host.appendChild(playhead);
  ctx.scope.add(() => {
    canvas.remove();
    playhead.remove();
  });

  let data: MarkerData = { beats: [], selected: new Set(), segments: [], selectedSegments: new Set(), fps: 12, focusedBeatId: null, seams: new Map() };
  let gesture: Gesture = { kind: 'idle' };
  let frameRequest = 0;
  let lastView: ViewWindow | null = null;

  const view = (): ViewWindow => {
    const duration = ws.getDuration() || 1;
    const pxPerSec = ws.getWrapper().clientWidth / duration || 1;
    return { startSec: ws.getScroll() / pxPerSec, pxPerSec, widthPx: host.clientWidth };
  };

  const draw = () => {
    frameRequest = 0;
    performance.mark('timeline.draw-start');
    const v = view();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(v.widthPx * dpr));
    const h = Math.round(TIMELINE_HEIGHT * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const g = canvas.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const input: DrawInput = {
      view: v,
      heightPx: TIMELINE_HEIGHT,
      durationSec: ws.getDuration(),
      fps: data.fps,
      beats: data.beats,
      selected: data.selected,
      drag: gesture.kind === 'press-beat' && gesture.dragging ? { ids: new Set(gesture.ids), deltaSec: gesture.deltaSec, grabbedId: gesture.id } : null,
      segments: data.segments,
      selectedSegments: data.selectedSegments,
      box: gesture.kind === 'press-empty' && gesture.boxing ? { x0: gesture.x0, x1: gesture.x1, y0: gesture.y0, y1: gesture.y1 } : null,
      focusedBeatId: data.focusedBeatId,
      seams: data.seams,
    };
    const drawn = drawTimeline(g, input);
    canvas.dataset.barLabels = drawn.barLabels.join(' ');
    // The visible window, for tests and tools that need to point at a time.
    canvas.dataset.startSec = String(v.startSec);
    canvas.dataset.pxPerSec = String(v.pxPerSec);
    movePlayhead(ws.getCurrentTime(), v);
    performance.measure('timeline.draw', 'timeline.draw-start');
    if (!lastView || lastView.startSec !== v.startSec || lastView.pxPerSec !== v.pxPerSec || lastView.widthPx !== v.widthPx) {
      lastView = v;
      ctx.emit('view-change', v);
    }
  };

  const scheduleDraw = () => {
    if (!frameRequest) frameRequest = requestAnimationFrame(draw);
  };
  ctx.scope.add(() => cancelAnimationFrame(frameRequest));

  const movePlayhead = (t: number, v = view()) => {
    const x = timeToX(v, t);
    playhead.style.display = x < -2 || x > v.widthPx ? 'none' : 'block';
    playhead.style.transform = `translateX(${Math.round(x)}px)`;
  };

  for (const ev of ['scroll', 'zoom', 'redraw', 'resize', 'ready'] as const) ctx.scope.add(ws.on(ev, scheduleDraw));
  ctx.scope.add(ws.on('timeupdate', (t) => movePlayhead(t)));
  ctx.scope.createResizeObserver(host, () => scheduleDraw());

  const localPoint = (e: PointerEvent | WheelEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };

  const beatNear = (x: number, maxPx: number): BeatMarker | null => {
    const v = view();
    const t = xToTime(v, x);
    const beats = data.beats;
    const i = lowerBound(beats, t, (b) => b.timeSec);
    let best: BeatMarker | null = null;
    let bestPx = maxPx + 1;
    for (const j of [i - 1, i]) {
      const b = beats[j];
      if (!b) continue;
      const d = Math.abs(timeToX(v, b.timeSec) - x);
      if (d < bestPx) (best = b), (bestPx = d);
    }
    return best;
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const { x, y } = localPoint(e);
    const lane = laneAt(y);
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    canvas.setPointerCapture(e.pointerId);
    if (lane === 'ruler') {
      gesture = { kind: 'scrub' };
      ctx.emit('seek', Math.max(0, xToTime(view(), x)));
      return;
    }
    const hit = lane === 'segments' ? null : beatNear(x, lane === 'wave' ? GRAB_PX - 2 : GRAB_PX);
    if (hit) {
      if (additive) {
        ctx.emit('marker-select', [hit.id], 'toggle');
        gesture = { kind: 'idle' };
        return;
      }
      const groupIds = data.selected.has(hit.id) ? data.beats.filter((b) => data.selected.has(b.id)).map((b) => b.id) : [hit.id];
      if (!data.selected.has(hit.id)) ctx.emit('marker-select', [hit.id], 'replace');
      gesture = { kind: 'press-beat', id: hit.id, ids: groupIds, originSec: hit.timeSec, x0: x, dragging: false, deltaSec: 0, additive };
      return;
    }
    gesture = { kind: 'press-empty', x0: x, y0: y, x1: x, y1: y, boxing: false, additive, lane };
  };

  const onPointerMove = (e: PointerEvent) => {
    if (gesture.kind === 'idle') return;
    performance.mark('timeline.move-start');
    const { x, y } = localPoint(e);
    const v = view();
    if (gesture.kind === 'scrub') {
      ctx.emit('seek', Math.max(0, xToTime(v, x)));
    } else if (gesture.kind === 'press-beat') {
      if (!gesture.dragging && Math.abs(x - gesture.x0) < DRAG_THRESHOLD_PX) return;
      gesture.dragging = true;
      const target = options.snap(gesture.originSec + (x - gesture.x0) / v.pxPerSec, e.altKey);
      gesture.deltaSec = Math.max(target, 0) - gesture.originSec;
      ctx.emit('marker-drag', gesture.ids, gesture.deltaSec);
      draw();
    } else {
      gesture.x1 = x;
      gesture.y1 = y;
      if (!gesture.boxing && Math.hypot(x - gesture.x0, y - gesture.y0) < DRAG_THRESHOLD_PX + 1) return;
      gesture.boxing = true;
      draw();
    }
    performance.measure('timeline.drag-frame', 'timeline.move-start');
  };

  const onPointerUp = (e: PointerEvent) => {
    const g = gesture;
    gesture = { kind: 'idle' };
    if (canvas.hasPointerCapture(e.pointerId)) canvas.releasePointerCapture(e.pointerId);
    const v = view();
    if (g.kind === 'press-beat') {
      if (g.dragging && g.deltaSec !== 0) ctx.emit('marker-drag-end', g.ids, g.deltaSec);
      else if (!g.dragging && g.ids.length > 1) ctx.emit('marker-select', [g.id], 'replace');
      if (!g.dragging) ctx.emit('seek', g.originSec);
    } else if (g.kind === 'press-empty') {
      const t0 = Math.max(0, xToTime(v, Math.min(g.x0, g.x1)));
      const t1 = Math.max(0, xToTime(v, Math.max(g.x0, g.x1)));
      if (g.boxing) {
        const from = lowerBound(data.beats, t0, (b) => b.timeSec);
        const to = lowerBound(data.beats, t1 + 1e-9, (b) => b.timeSec);
        ctx.emit('box-select', data.beats.slice(from, to).map((b) => b.id), t0, t1, g.additive);
      } else if (g.lane === 'beatLane') {
        ctx.emit('marker-add', options.snap(t0, e.altKey));
      } else if (g.lane === 'segments') {
        ctx.emit('segment-click', t0, g.additive);
      } else {
        if (!g.additive) ctx.emit('marker-select', [], 'replace');
        ctx.emit('seek', t0);
      }
    }
    scheduleDraw();
  };

  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
    if (horizontal) {
      ws.setScroll(ws.getScroll() + (e.shiftKey ? e.deltaY : e.deltaX));
      return;
    }
    const { x } = localPoint(e);
    api.zoomAround(view().pxPerSec * Math.pow(WHEEL_ZOOM_STEP, -e.deltaY), x);
  };

  ctx.scope.listen(canvas, 'pointerdown', onPointerDown as EventListener);
  ctx.scope.listen(canvas, 'pointermove', onPointerMove as EventListener);
  ctx.scope.listen(canvas, 'pointerup', onPointerUp as EventListener);
  ctx.scope.listen(canvas, 'pointercancel', onPointerUp as EventListener);
  ctx.scope.listen(canvas, 'wheel', onWheel as EventListener, { passive: false });

  const api: BeatMarkerApi = {
    setData(next: MarkerData) {
      data = next;
      scheduleDraw();
    },
    getView: view,
    getCanvas: () => canvas,
    drawNow: draw,
    zoomAround(pxPerSec: number, anchorX?: number) {
      const before = view();
      const x = anchorX ?? before.widthPx / 2;
      const t = xToTime(before, x);
      ws.zoom(pxPerSec);
      const after = view();
      ws.setScroll(Math.max(0, t * after.pxPerSec - x));
      scheduleDraw();
    },
    reveal(timeSec: number) {
      const v = view();
      if (timeSec < v.startSec || timeSec > v.startSec + v.widthPx / v.pxPerSec) ws.setScroll(Math.max(0, timeSec * v.pxPerSec - v.widthPx / 3));
      scheduleDraw();
    },
  };
  scheduleDraw();
  return api;
});

export interface BeatMarkerApi {
  setData(next: MarkerData): void;
  getView(): ViewWindow;
  getCanvas(): HTMLCanvasElement;
  /** Draws synchronously (benchmarks, screenshots). */
  drawNow(): void;
  zoomAround(pxPerSec: number, anchorX?: number): void;
  reveal(timeSec: number): void;
}

export type BeatMarkerPluginInstance = InstanceType<typeof BeatMarkerPlugin>;

/**
 * Transport of the preview monitor (issue 23): J/K/L, frame step and segment loop. They move the timeline's
 * playhead (the monitor and the song follow it), so they work the same from the monitor and the timeline.
 */
import { defineAction } from '../../../actions/action';
import { projectStore } from '../../../state/project-store';
import { playerController } from '../player-controller';
import { monitorStore } from '../monitor-store';
import { timelineStore } from '../timeline-store';
import { hasPlayer } from './guards';

const fps = () => projectStore.getState().project?.fps ?? 12;

/** Moves the playhead by whole frames, landing on a frame's start (pauses first: stepping is for looking). */
export function stepFrames(n: number): void {
  const player = playerController.get();
  if (!player) return;
  if (player.isPlaying()) player.playPause();
  const f = fps();
  const frame = Math.floor(player.currentTime() * f + 1e-6) + n;
  player.seek(Math.max(0, frame) / f);
}

/** Loops the selected segments (or the one under the playhead); a second call stops looping. */
export function toggleLoop(): void {
  if (monitorStore.getState().loop) return monitorStore.update({ loop: null });
  const project = projectStore.getState().project;
  const player = playerController.get();
  if (!project || !player) return;
  const f = project.fps;
  const selected = timelineStore.getState().selectedSegments;
  const chosen = project.segments.filter((s) => selected.has(s.id));
  const frame = Math.floor(player.currentTime() * f + 1e-6);
  const span = chosen.length ? chosen : project.segments.filter((s) => frame >= s.startFrame && frame < s.startFrame + s.frames);
  if (!span.length) return;
  const startSec = Math.min(...span.map((s) => s.startFrame)) / f;
  const endSec = Math.max(...span.map((s) => s.startFrame + s.frames)) / f;
  monitorStore.update({ loop: { startSec, endSec } });
  if (player.currentTime() < startSec || player.currentTime() >= endSec) player.seek(startSec);
}

export const playForward = defineAction({
  id: 'monitor.play', label: 'Play (L)', shortcut: 'L', group: 'Monitor', enabled: hasPlayer,
  run: () => {
    const p = playerController.get();
    if (p && !p.isPlaying()) p.playPause();
  },
});

export const pausePlayback = defineAction({
  id: 'monitor.pause', label: 'Pause (K)', shortcut: 'K', group: 'Monitor', enabled: hasPlayer,
  run: () => {
    const p = playerController.get();
    if (p?.isPlaying()) p.playPause();
  },
});

export const backOneSecond = defineAction({
  id: 'monitor.back', label: 'Back 1 s (J)', shortcut: 'J', group: 'Monitor', enabled: hasPlayer,
  run: () => {
    const p = playerController.get();
    if (p) p.seek(Math.max(0, p.currentTime() - 1));
  },
});

export const frameBack = defineAction({ id: 'monitor.frameBack', label: 'Previous frame', shortcut: 'Mod+ArrowLeft', group: 'Monitor', enabled: hasPlayer, run: () => stepFrames(-1) });
export const frameForward = defineAction({ id: 'monitor.frameForward', label: 'Next frame', shortcut: 'Mod+ArrowRight', group: 'Monitor', enabled: hasPlayer, run: () => stepFrames(1) });
export const loopSegment = defineAction({ id: 'monitor.loop', label: 'Loop the segment (or selected segments)', shortcut: 'Shift+L', group: 'Monitor', enabled: hasPlayer, run: () => toggleLoop() });

export const monitorActions = [playForward, pausePlayback, backOneSecond, frameBack, frameForward, loopSegment];

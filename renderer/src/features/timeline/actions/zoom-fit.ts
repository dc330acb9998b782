import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { readyAnalysis, timelineStore } from '../timeline-store';
import { hasPlayer } from './guards';

/** Pixels per second at which the whole song fits the visible timeline (zoom-out never goes below it). */
export function fitPxPerSec(): number {
  const { viewWidthSec, pxPerSec } = timelineStore.getState();
  const duration = readyAnalysis()?.durationSec ?? 0;
  const widthPx = viewWidthSec * pxPerSec;
  return duration > 0 && widthPx > 0 ? widthPx / duration : pxPerSec;
}

export const zoomFit = defineAction({
  id: 'timeline.zoomFit', label: 'Zoom to fit the song', shortcut: '0', group: 'Timeline',
  enabled: hasPlayer,
  run: () => playerController.get()?.zoomTo(fitPxPerSec()),
});

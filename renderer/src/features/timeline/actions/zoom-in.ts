import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { MAX_PX_PER_SEC, timelineStore } from '../timeline-store';
import { hasPlayer } from './guards';

export const ZOOM_STEP = 1.5;

export const zoomIn = defineAction({
  id: 'timeline.zoomIn', label: 'Zoom in', shortcut: '=', group: 'Timeline',
  enabled: hasPlayer,
  run: () => playerController.get()?.zoomTo(Math.min(MAX_PX_PER_SEC, timelineStore.getState().pxPerSec * ZOOM_STEP)),
});

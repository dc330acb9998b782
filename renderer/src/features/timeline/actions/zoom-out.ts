import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { MIN_PX_PER_SEC, timelineStore } from '../timeline-store';
import { hasPlayer } from './guards';
import { ZOOM_STEP } from './zoom-in';

export const zoomOut = defineAction({
  id: 'timeline.zoomOut', label: 'Zoom out', shortcut: '-', group: 'Timeline',
  enabled: hasPlayer,
  run: () => playerController.get()?.zoomTo(Math.max(MIN_PX_PER_SEC, timelineStore.getState().pxPerSec / ZOOM_STEP)),
});

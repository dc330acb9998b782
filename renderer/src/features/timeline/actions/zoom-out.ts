import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { MIN_PX_PER_SEC, timelineStore } from '../timeline-store';
import { hasPlayer } from './guards';
import { ZOOM_STEP } from './zoom-in';
import { fitPxPerSec } from './zoom-fit';

export const zoomOut = defineAction({
  id: 'timeline.zoomOut', label: 'Zoom out', shortcut: '-', group: 'Timeline',
  enabled: hasPlayer,
  // Stops exactly where the whole song fits (issue 23: a 30 s song could not be fitted).
  run: () => playerController.get()?.zoomTo(Math.max(MIN_PX_PER_SEC, Math.min(timelineStore.getState().pxPerSec, fitPxPerSec()), timelineStore.getState().pxPerSec / ZOOM_STEP)),
});

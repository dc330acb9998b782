import { defineAction } from '../../../actions/action';
import { shiftAfterCursor } from '../timeline-edits';
import { frameSec, hasSong } from './guards';

export const shiftAfterRight = defineAction({
  id: 'beats.shiftAfterRight', label: 'Shift all beats after the playhead right 1 frame', shortcut: 'Shift+ArrowRight', group: 'Beats',
  enabled: hasSong,
  run: (ctx) => void shiftAfterCursor(frameSec(ctx)),
});

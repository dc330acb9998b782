import { defineAction } from '../../../actions/action';
import { shiftAfterCursor } from '../timeline-edits';
import { frameSec, hasSong } from './guards';

export const shiftAfterLeft = defineAction({
  id: 'beats.shiftAfterLeft', label: 'Shift all beats after the playhead left 1 frame', shortcut: 'Shift+ArrowLeft', group: 'Beats',
  enabled: hasSong,
  run: (ctx) => void shiftAfterCursor(-frameSec(ctx)),
});

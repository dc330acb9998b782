import { defineAction } from '../../../actions/action';
import { nudgeSelected } from '../timeline-edits';
import { frameSec, hasSelection } from './guards';

export const nudgeLeft = defineAction({
  id: 'beats.nudgeLeft', label: 'Nudge beats left 1 frame', shortcut: 'ArrowLeft', group: 'Beats',
  enabled: hasSelection,
  run: (ctx) => void nudgeSelected(-frameSec(ctx)),
});

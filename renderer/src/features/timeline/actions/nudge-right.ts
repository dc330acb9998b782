import { defineAction } from '../../../actions/action';
import { nudgeSelected } from '../timeline-edits';
import { frameSec, hasSelection } from './guards';

export const nudgeRight = defineAction({
  id: 'beats.nudgeRight', label: 'Nudge beats right 1 frame', shortcut: 'ArrowRight', group: 'Beats',
  enabled: hasSelection,
  run: (ctx) => void nudgeSelected(frameSec(ctx)),
});

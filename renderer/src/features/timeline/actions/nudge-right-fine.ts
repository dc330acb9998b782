import { defineAction } from '../../../actions/action';
import { nudgeSelected } from '../timeline-edits';
import { FINE_NUDGE_SEC, hasSelection } from './guards';

export const nudgeRightFine = defineAction({
  id: 'beats.nudgeRightFine', label: 'Nudge beats right 10 ms', shortcut: 'Alt+ArrowRight', group: 'Beats',
  enabled: hasSelection,
  run: () => void nudgeSelected(FINE_NUDGE_SEC),
});

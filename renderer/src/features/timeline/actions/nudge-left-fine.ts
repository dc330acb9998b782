import { defineAction } from '../../../actions/action';
import { nudgeSelected } from '../timeline-edits';
import { FINE_NUDGE_SEC, hasSelection } from './guards';

export const nudgeLeftFine = defineAction({
  id: 'beats.nudgeLeftFine', label: 'Nudge beats left 10 ms', shortcut: 'Alt+ArrowLeft', group: 'Beats',
  enabled: hasSelection,
  run: () => void nudgeSelected(-FINE_NUDGE_SEC),
});

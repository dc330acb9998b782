import { defineAction } from '../../../actions/action';
import { doubleTempo as double } from '../timeline-edits';
import { hasSong } from './guards';

export const doubleTempo = defineAction({
  id: 'beats.doubleTempo', label: 'Double tempo (selected beats, or all)', shortcut: 'Shift+D', group: 'Beats',
  enabled: hasSong,
  run: () => void double(),
});

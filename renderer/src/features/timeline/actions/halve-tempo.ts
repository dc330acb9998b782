import { defineAction } from '../../../actions/action';
import { halveTempo as halve } from '../timeline-edits';
import { hasSong } from './guards';

export const halveTempo = defineAction({
  id: 'beats.halveTempo', label: 'Halve tempo (selected beats, or all)', shortcut: 'Shift+H', group: 'Beats',
  enabled: hasSong,
  run: () => void halve(),
});

import { defineAction } from '../../../actions/action';
import { toggleAnchor as toggle } from '../timeline-edits';
import { hasSelection } from './guards';

export const toggleAnchor = defineAction({
  id: 'beats.toggleAnchor', label: 'Anchor / unanchor selected beats (kept by re-detection)', shortcut: 'A', group: 'Beats',
  enabled: hasSelection,
  run: () => void toggle(),
});

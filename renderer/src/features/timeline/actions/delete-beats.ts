import { defineAction } from '../../../actions/action';
import { deleteSelected } from '../timeline-edits';
import { hasSelection } from './guards';

export const deleteBeats = defineAction({
  id: 'beats.delete', label: 'Delete selected beats', shortcut: 'Delete', group: 'Beats',
  enabled: hasSelection,
  run: () => void deleteSelected(),
});

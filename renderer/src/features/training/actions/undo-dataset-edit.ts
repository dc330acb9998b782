import { defineAction } from '../../../actions/action';
import { trainingStore } from '../training-store';

export const undoDatasetEdit = defineAction({
  id: 'training.undoDatasetEdit', label: 'Undo last dataset edit (caption, beats)', shortcut: 'Mod+Alt+Z', group: 'Training',
  enabled: () => trainingStore.getState().undo.length > 0,
  run: ({ studio }) => trainingStore.undoLast(studio),
});

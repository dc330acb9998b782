import { defineAction } from '../../../actions/action';
import { uiStore } from '../../../state/ui-store';

export const openTraining = defineAction({
  id: 'training.open', label: 'Open the Training screen', shortcut: 'Mod+Alt+T', group: 'Training',
  run: () => uiStore.update({ view: 'training' }),
});

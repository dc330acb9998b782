import { defineAction } from '../../../actions/action';
import { uiStore } from '../../../state/ui-store';
import { startRun } from '../run-commands';
import { trainingStore } from '../training-store';

export const startTrainingRun = defineAction({
  id: 'training.start', label: 'Start training run', shortcut: 'Mod+Alt+Enter', group: 'Training',
  enabled: () => !!trainingStore.getState().dataset,
  run: async ({ studio }) => {
    uiStore.update({ view: 'training' });
    await startRun(studio);
  },
});

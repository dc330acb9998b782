import { defineAction } from '../../../actions/action';
import { cancelRun } from '../run-commands';
import { trainingStore } from '../training-store';

const ACTIVE = ['starting', 'training', 'paused', 'resuming'];

export const cancelTrainingRun = defineAction({
  id: 'training.cancel', label: 'Cancel training run', shortcut: 'Mod+Alt+Backspace', group: 'Training',
  enabled: () => ACTIVE.includes(trainingStore.getState().followed?.state.status ?? ''),
  run: ({ studio }) => cancelRun(studio),
});

import { defineAction } from '../../../actions/action';
import { pauseRun } from '../run-commands';
import { trainingStore } from '../training-store';

export const pauseTrainingRun = defineAction({
  id: 'training.pause', label: 'Pause training run', group: 'Training',
  enabled: () => trainingStore.getState().followed?.state.status === 'training',
  run: ({ studio }) => pauseRun(studio),
});

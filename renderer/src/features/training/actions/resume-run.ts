import { defineAction } from '../../../actions/action';
import { resumeRun } from '../run-commands';
import { trainingStore } from '../training-store';

export const resumeTrainingRun = defineAction({
  id: 'training.resume', label: 'Resume training run', group: 'Training',
  enabled: () => ['paused', 'cancelled', 'interrupted', 'failed'].includes(trainingStore.getState().followed?.state.status ?? ''),
  run: ({ studio }) => resumeRun(studio),
});

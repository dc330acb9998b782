import { defineAction } from '../../../actions/action';
import { exportPack } from '../run-commands';
import { trainingStore } from '../training-store';

export const exportTrainedPack = defineAction({
  id: 'training.exportPack', label: 'Export model pack from training run', group: 'Training',
  enabled: () => ['completed', 'cancelled', 'interrupted'].includes(trainingStore.getState().followed?.state.status ?? ''),
  run: ({ studio }) => exportPack(studio),
});

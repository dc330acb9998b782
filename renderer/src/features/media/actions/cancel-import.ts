import { defineAction } from '../../../actions/action';
import { importStore } from '../import-store';

export const cancelImport = defineAction({
  id: 'media.cancelImport',
  label: 'Cancel import',
  group: 'Media',
  enabled: () => !!importStore.getState(),
  run: () => void importStore.cancel(),
});

import { defineAction } from '../../../actions/action';
import { FILE_INPUT_ID, importStore } from '../import-store';

export const importMedia = defineAction({
  id: 'media.import',
  label: 'Import image or song…',
  shortcut: 'Mod+Shift+O',
  group: 'Media',
  enabled: ({ store }) => !!store.getState().project && !importStore.getState(),
  run: () => document.getElementById(FILE_INPUT_ID)?.click(),
});

import { defineAction } from '../../../actions/action';
import { uiStore } from '../../../state/ui-store';
import { notify } from '../../../state/notifications';

export const undo = defineAction({
  id: 'edit.undo', label: 'Undo', shortcut: 'Mod+Z', group: 'Edit',
  enabled: ({ store }) => store.getState().past.length > 0,
  run: ({ store }) => {
    const label = store.undo();
    if (label) notify('info', `Undid: ${label}`);
  },
});

export const redo = defineAction({
  id: 'edit.redo', label: 'Redo', shortcut: 'Mod+Shift+Z', altShortcuts: ['Mod+Y'], group: 'Edit',
  enabled: ({ store }) => store.getState().future.length > 0,
  run: ({ store }) => {
    const label = store.redo();
    if (label) notify('info', `Redid: ${label}`);
  },
});

export const openPalette = defineAction({
  id: 'app.commandPalette', label: 'Command palette', shortcut: 'Mod+K', group: 'App',
  run: () => uiStore.update({ paletteOpen: true }),
});

export const showShortcuts = defineAction({
  id: 'app.shortcuts', label: 'Keyboard shortcuts', shortcut: '?', group: 'App',
  run: () => uiStore.update({ shortcutsOpen: true }),
});

export const goStudio = defineAction({ id: 'view.studio', label: 'Go to Studio', shortcut: 'Mod+1', group: 'View', run: () => uiStore.update({ view: 'studio' }) });
export const goTraining = defineAction({ id: 'view.training', label: 'Go to Training', shortcut: 'Mod+2', group: 'View', run: () => uiStore.update({ view: 'training' }) });
export const goSystem = defineAction({ id: 'view.system', label: 'Go to System', shortcut: 'Mod+3', group: 'View', run: () => uiStore.update({ view: 'system' }) });

export const shellActions = [undo, redo, openPalette, showShortcuts, goStudio, goTraining, goSystem];

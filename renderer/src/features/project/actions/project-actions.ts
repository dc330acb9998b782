import { defineAction } from '../../../actions/action';
import { askFolder } from '../dialog-store';
import { closeProject, newProject, openWithDialog, saveAs, saveNow, showRecovery } from '../project-session';

const hasProject = ({ store }: { store: { getState(): { project: unknown } } }) => store.getState().project !== null;

export const newProjectAction = defineAction({
  id: 'project.new', label: 'New project…', shortcut: 'Mod+Alt+N', group: 'Project',
  run: ({ studio, store }) => void newProject(studio, store),
});

export const openProjectAction = defineAction({
  id: 'project.open', label: 'Open project…', shortcut: 'Mod+O', group: 'Project',
  run: ({ studio, store }) => void openWithDialog(studio, store),
});

export const saveProjectAction = defineAction({
  id: 'project.save', label: 'Save project', shortcut: 'Mod+S', group: 'Project',
  enabled: hasProject,
  run: ({ studio, store }) => void saveNow(studio, store),
});

export const saveProjectAsAction = defineAction({
  id: 'project.saveAs', label: 'Save project as…', shortcut: 'Mod+Shift+S', group: 'Project',
  enabled: hasProject,
  run: ({ studio, store }) => void saveAs(studio, store),
});

export const closeProjectAction = defineAction({
  id: 'project.close', label: 'Close project', group: 'Project',
  enabled: hasProject,
  run: ({ studio, store }) => void closeProject(studio, store),
});

export const recoverProjectAction = defineAction({
  id: 'project.recover', label: 'Recover project from autosave or backup…', shortcut: 'Mod+Shift+R', group: 'Project',
  // Also without an open project: a project whose project.json is damaged cannot be opened, only recovered.
  run: async ({ studio, store }) => {
    const dir = store.getState().dir ?? (await askFolder('open'))?.dir;
    if (dir) await showRecovery(studio, dir, 'Choose a copy of this project to restore; the current saved version is kept as a backup.');
  },
});

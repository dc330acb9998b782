import { defineAction } from '../../../actions/action';
import { timelineStore } from '../timeline-store';
import { hasProject } from './guards';

export const importMarkers = defineAction({
  id: 'beats.importMarkers', label: 'Import beat markers (Audacity, CSV, FCPXML)…', shortcut: 'Mod+I', group: 'Beats',
  enabled: hasProject,
  run: () => timelineStore.update({ markerDialog: 'import' }),
});

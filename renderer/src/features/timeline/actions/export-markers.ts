import { defineAction } from '../../../actions/action';
import { timelineStore } from '../timeline-store';
import { hasProject } from './guards';

export const exportMarkers = defineAction({
  id: 'beats.exportMarkers', label: 'Export beat markers (Audacity, CSV, FCPXML)…', shortcut: 'Mod+E', group: 'Beats',
  enabled: hasProject,
  run: () => timelineStore.update({ markerDialog: 'export' }),
});

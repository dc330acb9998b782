import { defineAction } from '../../../actions/action';
import { exportChoices, exportDialog } from '../../../state/export-choices';
import { timelineStore } from '../timeline-store';
import { hasProject } from './guards';

/** Opens the export dialog for the selected segments (its "Selected segments" range). */
export const exportSelected = defineAction({
  id: 'segments.export', label: 'Export the selected segments…', group: 'Segments',
  enabled: (ctx) => hasProject(ctx) && timelineStore.getState().selectedSegments.size > 0,
  run: () => {
    exportChoices.update({ range: 'selection' });
    exportDialog.open(new Set(timelineStore.getState().selectedSegments));
  },
});

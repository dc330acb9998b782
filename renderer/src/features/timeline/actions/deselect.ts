import { defineAction } from '../../../actions/action';
import { timelineStore } from '../timeline-store';

/** Escape clears the beat and segment selection (issue 23: it used to do nothing). */
export const deselect = defineAction({
  id: 'timeline.deselect', label: 'Deselect beats and segments', shortcut: 'Escape', group: 'Timeline',
  enabled: () => {
    const t = timelineStore.getState();
    return t.selectedBeats.size > 0 || t.selectedSegments.size > 0;
  },
  run: () => timelineStore.update({ selectedBeats: new Set(), selectedSegments: new Set(), regionSec: null, segmentAnchor: null }),
});

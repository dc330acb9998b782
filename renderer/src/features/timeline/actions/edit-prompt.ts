import { defineAction } from '../../../actions/action';
import { segmentIndexAtFrame, segmentRange } from '../../../shared/segment-ops';
import { timelineStore } from '../timeline-store';
import { hasProject } from './guards';

export const editPrompt = defineAction({
  id: 'segments.editPrompt', label: 'Edit the prompt of the selected segments', shortcut: 'P', group: 'Segments',
  enabled: hasProject,
  run: ({ store }) => {
    const p = store.getState().project;
    if (!p) return;
    const t = timelineStore.getState();
    if (!t.selectedSegments.size) {
      const index = Math.max(0, segmentIndexAtFrame(p.segments, Math.floor(t.cursorSec * p.fps)));
      timelineStore.update({ selectedSegments: segmentRange(p.segments, index, index), segmentAnchor: index });
    }
    timelineStore.update({ promptFocusRequest: timelineStore.getState().promptFocusRequest + 1 });
  },
});

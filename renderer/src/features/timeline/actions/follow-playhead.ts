import { defineAction } from '../../../actions/action';
import { timelineStore } from '../timeline-store';

export const followPlayhead = defineAction({
  id: 'timeline.followPlayhead', label: 'Follow playhead (on/off)', shortcut: 'F', group: 'Timeline',
  run: () => timelineStore.update({ followPlayhead: !timelineStore.getState().followPlayhead }),
});

import { defineAction } from '../../../actions/action';
import { timelineStore } from '../timeline-store';

export const toggleMetronome = defineAction({
  id: 'timeline.metronome', label: 'Metronome click on beats (on/off)', shortcut: 'M', group: 'Timeline',
  run: () => timelineStore.update({ metronome: !timelineStore.getState().metronome }),
});

import { defineAction } from '../../../actions/action';
import { gridTimes } from '../beat-ops';
import { replaceRegion } from '../timeline-edits';
import { readyAnalysis, timelineStore } from '../timeline-store';
import { hasSong } from './guards';

export const applyTappedTempo = defineAction({
  id: 'beats.applyTapped', label: 'Apply tapped tempo from the first tap to the end (keeps anchored beats)', shortcut: 'Shift+T', group: 'Beats',
  enabled: (ctx) => hasSong(ctx) && timelineStore.getState().tapped !== null,
  run: () => {
    const { tapped, tapsSec } = timelineStore.getState();
    const analysis = readyAnalysis();
    if (!tapped || !analysis) return;
    const start = Math.max(0, tapsSec[0]! - tapped.periodSec / 2);
    const times = gridTimes(start, analysis.durationSec, tapped.periodSec, tapped.phaseSec);
    if (replaceRegion(`Apply tapped tempo (${tapped.bpm.toFixed(1)} BPM)`, start, analysis.durationSec, times, 'user')) {
      timelineStore.update({ tapsSec: [], tapped: null });
    }
  },
});

import { defineAction } from '../../../actions/action';
import { notify } from '../../../state/notifications';
import { replaceRegion } from '../timeline-edits';
import { readyAnalysis, timelineStore } from '../timeline-store';
import { hasSong } from './guards';

/**
 * Re-detects the beats of the box-selected region (the whole song when nothing is boxed), keeping anchored
 * beats: hand-placed beats that are not anchored are replaced, so anchor the ones to keep first.
 */
export const redetectRegion = defineAction({
  id: 'beats.redetect', label: 'Re-detect beats in the selected region (keeps anchored)', shortcut: 'R', group: 'Beats',
  enabled: hasSong,
  run: () => {
    const analysis = readyAnalysis();
    if (!analysis) return;
    const region = timelineStore.getState().regionSec ?? { startSec: 0, endSec: analysis.durationSec };
    const label = region.startSec === 0 && region.endSec === analysis.durationSec ? 'Re-detect all beats' : 'Re-detect region';
    const changed = replaceRegion(label, region.startSec, region.endSec, analysis.beatsSec, 'detected');
    if (!changed) notify('info', 'The detected beats already match this region.');
  },
});

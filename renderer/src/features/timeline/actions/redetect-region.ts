import { defineAction } from '../../../actions/action';
import { newJobId } from '../../../bridge/index';
import { notify, unwrap } from '../../../state/notifications';
import { replaceRegion } from '../timeline-edits';
import { readyAnalysis, timelineStore } from '../timeline-store';
import { hasSong } from './guards';

/**
 * Re-detects the beats of the box-selected region (the whole song when nothing is boxed) with the analysis
 * service, fitted around the anchored beats, which stay; loose beats in the region (hand-placed ones too)
 * are replaced, so anchor the ones to keep first.
 */
export const redetectRegion = defineAction({
  id: 'beats.redetect', label: 'Re-detect beats in the selected region (keeps anchored)', shortcut: 'R', group: 'Beats',
  enabled: hasSong,
  run: async ({ studio, store }) => {
    const analysis = readyAnalysis();
    const { dir, project } = store.getState();
    if (!analysis || !dir || !project?.song) return;
    const region = timelineStore.getState().regionSec ?? { startSec: 0, endSec: analysis.durationSec };
    if (region.endSec - region.startSec < 0.5) return notify('info', 'Box-select at least half a second of the song to re-detect it.');
    const anchoredSec = project.beats.filter((b) => b.anchored && b.timeSec >= region.startSec && b.timeSec <= region.endSec).map((b) => b.timeSec);
    const reply = unwrap(
      await studio.verbs.beats.redetect({ path: `${dir.replace(/[\\/]+$/, '')}/${project.song.path}`, startSec: region.startSec, endSec: region.endSec, anchoredSec }, { jobId: newJobId('redetect') }),
    );
    if (!reply) return;
    const whole = region.startSec === 0 && region.endSec === analysis.durationSec;
    const changed = replaceRegion(whole ? 'Re-detect all beats' : 'Re-detect region', region.startSec, region.endSec, reply.beatTimesSec, 'detected');
    notify('info', changed ? `Re-detected ${reply.beatTimesSec.length} beats at ${reply.tempoBpm.toFixed(1)} BPM.` : 'The detected beats already match this region.');
  },
});

import { defineAction } from '../../../actions/action';
import { newJobId } from '../../../bridge/index';
import { notify, unwrap } from '../../../state/notifications';
import { beatsWithBars } from '../analysis-client';
import { replaceWithDetectedBars } from '../bar-ops';
import { newBeatId } from '../beat-ops';
import { replaceAllBeats } from '../timeline-edits';
import { hasSong } from './guards';

/**
 * Runs the beat network on the song (`beats.analyse` with the net tracker: beats, downbeats, bar numbers) and
 * replaces the unanchored beats with its beats and bars; undo brings the old ones back. A missing or broken model
 * is reported as an error notice, and nothing changes.
 */
export const detectBars = defineAction({
  id: 'beats.detectBars', label: 'Detect beats and bars with the beat network (keeps anchored)', shortcut: 'Shift+B', group: 'Beats',
  enabled: hasSong,
  run: async ({ studio, store }) => {
    const { dir, project } = store.getState();
    if (!dir || !project?.song) return;
    const reply = unwrap(await studio.verbs.beats.analyse({ path: `${dir.replace(/[\\/]+$/, '')}/${project.song.path}`, tracker: 'net' }, { jobId: newJobId('detect-bars') }));
    if (!reply) return;
    const { beatsSec, downbeatBars } = beatsWithBars(reply);
    const current = store.getState().project?.beats ?? [];
    const beats = replaceWithDetectedBars(current, beatsSec, downbeatBars, newBeatId);
    const bars = downbeatBars.filter((b) => b !== null).length;
    if (replaceAllBeats('Detect beats and bars', beats)) notify('info', `Detected ${beatsSec.length} beats in ${bars} bars of ${reply.bars?.beatsPerBar ?? '?'} beats at ${reply.tempoBpm.toFixed(1)} BPM.`);
  },
});

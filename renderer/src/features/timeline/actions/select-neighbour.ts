/** Keyboard navigation between markers: the beat before/after the selection (or the playhead). */
import type { ActionContext } from '../../../actions/action';
import { lowerBound } from '../beat-ops';
import { playerController } from '../player-controller';
import { timelineStore } from '../timeline-store';

export function selectNeighbourBeat({ store }: ActionContext, direction: 1 | -1): void {
  const beats = store.getState().project?.beats ?? [];
  if (!beats.length) return;
  const { selectedBeats, cursorSec } = timelineStore.getState();
  const selectedIdx = beats.map((b, i) => (selectedBeats.has(b.id) ? i : -1)).filter((i) => i >= 0);
  let index: number;
  if (selectedIdx.length) index = direction > 0 ? selectedIdx[selectedIdx.length - 1]! + 1 : selectedIdx[0]! - 1;
  else index = direction > 0 ? lowerBound(beats, cursorSec + 1e-6, (b) => b.timeSec) : lowerBound(beats, cursorSec - 1e-6, (b) => b.timeSec) - 1;
  const beat = beats[Math.max(0, Math.min(beats.length - 1, index))]!;
  timelineStore.update({ selectedBeats: new Set([beat.id]) });
  const player = playerController.get();
  player?.seek(beat.timeSec);
  player?.reveal(beat.timeSec);
}

/**
 * Keyboard navigation between segments (`,` and `.`), the segment counterpart of `[` / `]` for beats: selects the
 * segment before/after the selection (or the one under the playhead) and moves the playhead to its start, so
 * `P` then edits its prompt without touching the mouse.
 */
import { defineAction, type ActionContext } from '../../../actions/action';
import { playerController } from '../player-controller';
import { segmentIndexAtFrame } from '../../../shared/segment-ops';
import { timelineStore } from '../timeline-store';
import { hasSong } from './guards';

function selectNeighbourSegment({ store }: ActionContext, direction: 1 | -1): void {
  const project = store.getState().project;
  if (!project?.segments.length) return;
  const ordered = [...project.segments].sort((a, b) => a.startFrame - b.startFrame);
  const { selectedSegments, cursorSec } = timelineStore.getState();
  const selected = ordered.flatMap((s, i) => (selectedSegments.has(s.id) ? [i] : []));
  const index = selected.length
    ? direction > 0 ? selected[selected.length - 1]! + 1 : selected[0]! - 1
    : Math.max(0, segmentIndexAtFrame(ordered, Math.floor(cursorSec * project.fps)));
  const i = Math.max(0, Math.min(ordered.length - 1, index));
  const segment = ordered[i]!;
  timelineStore.update({ selectedSegments: new Set([segment.id]), segmentAnchor: i });
  const player = playerController.get();
  player?.seek(segment.startFrame / project.fps);
  player?.reveal(segment.startFrame / project.fps);
}

export const selectNextSegment = defineAction({
  id: 'segments.selectNext', label: 'Select next segment', shortcut: '.', group: 'Segments',
  enabled: hasSong,
  run: (ctx) => selectNeighbourSegment(ctx, 1),
});

export const selectPreviousSegment = defineAction({
  id: 'segments.selectPrevious', label: 'Select previous segment', shortcut: ',', group: 'Segments',
  enabled: hasSong,
  run: (ctx) => selectNeighbourSegment(ctx, -1),
});

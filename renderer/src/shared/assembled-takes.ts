/**
 * The assembled result (issue 23): the kept take of each segment in time order, from the first segment up to
 * the first one without a take. The preview monitor plays it and the export writes it; both read it here.
 */
import type { Segment } from '../../../electron/shared/domain/project';
import { keptTake } from './seam-badges';

export interface AssembledTakes {
  /** Take folders in playback order. */
  takePaths: string[];
  /** Frame of the song where the first take starts. */
  startFrame: number;
  /** Frames covered by the takes. */
  frames: number;
  /** Segments (in order) whose kept take was made before an earlier segment was re-rolled. */
  staleSegments: number[];
}

export function assembleTakes(segments: readonly Segment[], only?: ReadonlySet<string>): AssembledTakes {
  const ordered = [...segments].sort((a, b) => a.startFrame - b.startFrame);
  const picked = only && only.size ? ordered.filter((s) => only.has(s.id)) : ordered;
  const out: AssembledTakes = { takePaths: [], startFrame: picked[0]?.startFrame ?? 0, frames: 0, staleSegments: [] };
  let expected = out.startFrame;
  for (const seg of picked) {
    const take = keptTake(seg);
    // A gap (a segment without a take, or a selection with a hole) ends the assembled run.
    if (!take || seg.startFrame !== expected) break;
    out.takePaths.push(take.path);
    out.frames += seg.frames;
    expected = seg.startFrame + seg.frames;
    if (take.stale) out.staleSegments.push(ordered.indexOf(seg) + 1);
  }
  return out;
}

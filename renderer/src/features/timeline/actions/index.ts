/** Every action of the timeline (registered in app/all-actions.ts). */
import type { Action } from '../../../actions/action';
import { addBeat } from './add-beat';
import { applyTappedTempo } from './apply-tapped-tempo';
import { deleteBeats } from './delete-beats';
import { doubleTempo } from './double-tempo';
import { editPrompt } from './edit-prompt';
import { exportMarkers } from './export-markers';
import { followPlayhead } from './follow-playhead';
import { halveTempo } from './halve-tempo';
import { importMarkers } from './import-markers';
import { nudgeLeft } from './nudge-left';
import { nudgeLeftFine } from './nudge-left-fine';
import { nudgeRight } from './nudge-right';
import { nudgeRightFine } from './nudge-right-fine';
import { playPause } from './play-pause';
import { redetectRegion } from './redetect-region';
import { detectBars } from './detect-bars';
import { selectNextBeat } from './select-next-beat';
import { selectNextSegment, selectPreviousSegment } from './select-segment';
import { selectPreviousBeat } from './select-previous-beat';
import { shiftAfterLeft } from './shift-after-left';
import { shiftAfterRight } from './shift-after-right';
import { tapTempo } from './tap-tempo';
import { toggleAnchor } from './toggle-anchor';
import { toggleMetronome } from './toggle-metronome';
import { zoomIn } from './zoom-in';
import { zoomOut } from './zoom-out';
import { zoomFit } from './zoom-fit';
import { deselect } from './deselect';
import { monitorActions } from './monitor';
import { exportSelected } from './export-selected';

export const timelineActions: Action[] = [
  playPause, zoomIn, zoomOut, followPlayhead, toggleMetronome,
  addBeat, deleteBeats, nudgeLeft, nudgeRight, nudgeLeftFine, nudgeRightFine, shiftAfterLeft, shiftAfterRight,
  selectPreviousBeat, selectNextBeat, halveTempo, doubleTempo, tapTempo, applyTappedTempo, redetectRegion, detectBars, toggleAnchor,
  exportMarkers, importMarkers, editPrompt, selectPreviousSegment, selectNextSegment, zoomFit, deselect, exportSelected, ...monitorActions,
];

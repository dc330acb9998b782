import { defineAction } from '../../../actions/action';
import { tapTempo as fitTaps } from '../beat-ops';
import { playerController } from '../player-controller';
import { timelineStore } from '../timeline-store';
import { hasSong } from './guards';

/** A pause this long between taps starts a new tapping run. */
const TAP_RESET_SEC = 2.5;
const MAX_TAPS = 32;

export const tapTempo = defineAction({
  id: 'beats.tap', label: 'Tap tempo (tap along while playing)', shortcut: 'T', group: 'Beats',
  enabled: hasSong,
  run: () => {
    const now = playerController.get()?.currentTime() ?? timelineStore.getState().cursorSec;
    const prev = timelineStore.getState().tapsSec;
    const last = prev[prev.length - 1];
    const taps = last !== undefined && now - last > 0 && now - last < TAP_RESET_SEC ? [...prev, now].slice(-MAX_TAPS) : [now];
    timelineStore.update({ tapsSec: taps, tapped: fitTaps(taps) });
  },
});

import { defineAction } from '../../../actions/action';
import { tapTempo as fitTaps } from '../beat-ops';
import { playerController } from '../player-controller';
import { timelineStore } from '../timeline-store';
import { hasSong } from './guards';

/** A pause this long between taps starts a new tapping run. */
const TAP_RESET_SEC = 2.5;
const MAX_TAPS = 32;

/** While paused, taps are timed by the wall clock, counted from where the playhead stood at the first tap. */
let pausedRun: { startWallSec: number; startSongSec: number } | null = null;

export const tapTempo = defineAction({
  id: 'beats.tap', label: 'Tap tempo (tap along; from the playhead when paused)', shortcut: 'T', group: 'Beats',
  enabled: hasSong,
  run: () => {
    const player = playerController.get();
    const { tapsSec, cursorSec } = timelineStore.getState();
    const last = tapsSec.at(-1);
    let t: number;
    if (player?.isPlaying()) {
      pausedRun = null;
      t = player.currentTime();
    } else {
      const wall = performance.now() / 1000;
      const continuing = pausedRun !== null && last !== undefined && pausedRun.startSongSec + (wall - pausedRun.startWallSec) - last < TAP_RESET_SEC;
      if (!continuing) pausedRun = { startWallSec: wall, startSongSec: cursorSec };
      t = pausedRun!.startSongSec + (wall - pausedRun!.startWallSec);
    }
    const continues = last !== undefined && t - last > 0 && t - last < TAP_RESET_SEC;
    const taps = continues ? [...tapsSec, t].slice(-MAX_TAPS) : [t];
    timelineStore.update({ tapsSec: taps, tapped: fitTaps(taps) });
  },
});

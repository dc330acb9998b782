import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { addBeatAt } from '../timeline-edits';
import { timelineStore } from '../timeline-store';
import { hasSong } from './guards';

export const addBeat = defineAction({
  id: 'beats.add', label: 'Add beat at playhead', shortcut: 'B', group: 'Beats',
  enabled: hasSong,
  run: () => void addBeatAt(playerController.get()?.currentTime() ?? timelineStore.getState().cursorSec),
});

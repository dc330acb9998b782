import { defineAction } from '../../../actions/action';
import { playerController } from '../player-controller';
import { hasPlayer } from './guards';

export const playPause = defineAction({
  id: 'timeline.playPause', label: 'Play / pause', shortcut: 'Space', group: 'Timeline',
  enabled: hasPlayer,
  run: () => playerController.get()?.playPause(),
});

import { defineAction } from '../../../actions/action';
import { selectNeighbourBeat } from './select-neighbour';
import { hasSong } from './guards';

export const selectNextBeat = defineAction({
  id: 'beats.selectNext', label: 'Select next beat', shortcut: ']', group: 'Beats',
  enabled: hasSong,
  run: (ctx) => selectNeighbourBeat(ctx, 1),
});

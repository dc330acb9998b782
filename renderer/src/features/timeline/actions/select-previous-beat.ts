import { defineAction } from '../../../actions/action';
import { selectNeighbourBeat } from './select-neighbour';
import { hasSong } from './guards';

export const selectPreviousBeat = defineAction({
  id: 'beats.selectPrevious', label: 'Select previous beat', shortcut: '[', group: 'Beats',
  enabled: hasSong,
  run: (ctx) => selectNeighbourBeat(ctx, -1),
});

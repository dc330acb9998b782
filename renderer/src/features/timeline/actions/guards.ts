/** Conditions shared by the timeline's actions (whether they show in menus and run from shortcuts). */
import type { ActionContext } from '../../../actions/action';
import { playerController } from '../player-controller';
import { timelineStore } from '../timeline-store';

export const hasProject = ({ store }: ActionContext) => !!store.getState().project && !store.getState().readOnly;
export const hasSong = (ctx: ActionContext) => hasProject(ctx) && timelineStore.getState().analysis.status === 'ready';
export const hasSelection = (ctx: ActionContext) => hasSong(ctx) && timelineStore.getState().selectedBeats.size > 0;
export const hasPlayer = () => playerController.get() !== null;
export const frameSec = ({ store }: ActionContext) => 1 / (store.getState().project?.fps ?? 12);
/** Fine nudge step: 10 ms. */
export const FINE_NUDGE_SEC = 0.01;

/** Every registered action of the studio. Features add their list here, one line each. */
import type { Action } from '../actions/action';
import { shellActions } from '../features/shell/actions/index';
import { systemActions } from '../features/system/actions/index';
import { trainingActions } from '../features/training/actions/index';
import { timelineActions } from '../features/timeline/index';
import { mediaActions } from '../features/media/index';
import { projectActions } from '../features/project/index';
import { generateActions } from '../features/generate/index';

export const allActions: Action[] = [...shellActions, ...projectActions, ...systemActions, ...timelineActions, ...mediaActions, ...trainingActions, ...generateActions];

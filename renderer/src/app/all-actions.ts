/** Every registered action of the studio. Features add their list here, one line each. */
import type { Action } from '../actions/action';
import { shellActions } from '../features/shell/actions/index';
import { systemActions } from '../features/system/actions/index';

export const allActions: Action[] = [...shellActions, ...systemActions];

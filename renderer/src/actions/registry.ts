import { useSyncExternalStore } from 'react';
import { Observable } from '../state/emitter';
import type { Action, ActionContext } from './action';
import { isTypingTarget, matchesShortcut } from './shortcuts';
import { notify } from '../state/notifications';

export class ActionRegistry extends Observable<readonly Action[]> {
  constructor() {
    super([]);
  }

  /** Registers actions; returns the unregister function. Duplicate ids are a programming error. */
  register(actions: Action[]): () => void {
    for (const a of actions) if (this.state.some((b) => b.id === a.id)) throw new Error(`duplicate action id ${a.id}`);
    this.set([...this.state, ...actions]);
    return () => this.set(this.state.filter((a) => !actions.includes(a)));
  }

  get(id: string): Action | undefined {
    return this.state.find((a) => a.id === id);
  }

  async run(id: string, ctx: ActionContext): Promise<void> {
    const action = this.get(id);
    if (!action) return notify('error', `Unknown command ${id}.`);
    if (action.enabled && !action.enabled(ctx)) return;
    try {
      await action.run(ctx);
    } catch (error) {
      notify('error', `${action.label} failed: ${(error as Error).message}`);
    }
  }

  /**
   * Finds the enabled action bound to a key event, respecting text fields. A disabled action leaves the key
   * to the browser (arrow keys keep scrolling when no marker is selected).
   */
  forKeyEvent(e: KeyboardEvent, ctx: ActionContext): Action | undefined {
    const typing = isTypingTarget(e.target);
    const bound = (a: Action) => [a.shortcut, ...(a.altShortcuts ?? [])].some((k) => !!k && (!typing || k.startsWith('Mod+')) && matchesShortcut(k, e));
    return this.state.find((a) => bound(a) && (!a.enabled || a.enabled(ctx)));
  }
}

export const actions = new ActionRegistry();
export const useActions = () => useSyncExternalStore(actions.subscribe, actions.getState);

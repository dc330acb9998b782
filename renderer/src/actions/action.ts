/**
 * UI commands as data (excalidraw's actions): shortcuts, menus, the command palette and undo labels all read
 * the same registry, so a command has one implementation and one shortcut.
 */
import type { StudioBridge } from '@shared/contract/bridge';
import type { ProjectStore } from '../state/project-store';

export interface ActionContext {
  studio: StudioBridge;
  store: ProjectStore;
}

export interface Action {
  /** Stable id, `<feature>.<verb>` (e.g. `beats.halveTempo`). */
  id: string;
  label: string;
  /** e.g. `Mod+K`, `Shift+H`, `Delete`, `?`; `Mod` is Ctrl (Cmd on macOS). */
  shortcut?: string;
  /** Further keys for the same command (Ctrl+Y beside Ctrl+Shift+Z for redo); shown after the main one. */
  altShortcuts?: string[];
  /** Palette/menu grouping. */
  group?: string;
  /** Shown in menus/palette only when true (defaults to always). */
  enabled?: (ctx: ActionContext) => boolean;
  run: (ctx: ActionContext) => void | Promise<void>;
}

export const defineAction = (action: Action): Action => action;

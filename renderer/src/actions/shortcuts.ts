/** Shortcut strings (`Mod+Shift+Z`) matched against keyboard events, and shown in a platform's style. */
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function matchesShortcut(shortcut: string, e: KeyboardEvent): boolean {
  const parts = shortcut.split('+');
  const key = parts.pop()!;
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (mods.has('mod') !== mod) return false;
  if (mods.has('alt') !== e.altKey) return false;
  // `?` and other shifted symbols are typed with Shift; only compare Shift for letters and named keys.
  const symbol = key.length === 1 && !/[a-z0-9]/i.test(key);
  if (!symbol && mods.has('shift') !== e.shiftKey) return false;
  if (!isMac && !mods.has('mod') && e.ctrlKey) return false;
  return e.key.toLowerCase() === key.toLowerCase() || (key === 'Space' && e.key === ' ');
}

export function formatShortcut(shortcut: string): string {
  return shortcut
    .split('+')
    .map((p) => (p === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : p === 'Shift' ? (isMac ? '⇧' : 'Shift') : p === 'Alt' ? (isMac ? '⌥' : 'Alt') : p))
    .join(isMac ? '' : '+');
}

/** Keys typed into text fields never trigger plain-key shortcuts (only Mod+ ones). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

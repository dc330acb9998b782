import { defineAction, type Action } from '../../../actions/action';
import { generateStore } from '../../../state/generate-store';
import { exportDialog } from '../../../state/export-choices';

/** The first segment (in time order) without a take: what Generate/Extend makes next. */
export const nextIndex = (segments: { takes: unknown[]; startFrame: number }[]) => {
  const ordered = [...segments].sort((a, b) => a.startFrame - b.startFrame);
  const i = ordered.findIndex((s) => s.takes.length === 0);
  return i === -1 ? ordered.length : i;
};

export const generateNext = defineAction({
  id: 'generate.next',
  label: 'Generate / extend the next segment',
  shortcut: 'Mod+G',
  group: 'Generate',
  // Extending stops at the song's end (issue 23: it used to add segments past the music); before the song is
  // analysed (no segments yet) it makes the first one.
  enabled: ({ store }) => {
    const segments = store.getState().project?.segments;
    return !!segments && !!generateStore.pack() && (segments.length === 0 || nextIndex(segments) < segments.length);
  },
  run: ({ store }) => {
    const i = nextIndex(store.getState().project!.segments);
    generateStore.enqueue([{ segmentIndex: i, kind: i === 0 ? 'generate' : 'extend' }]);
  },
});

/** Timeline segments from the first one without a take to the end (the count the Generate panel shows). */
export const remainingSegments = (segments: { takes: unknown[]; startFrame: number }[]) => Math.max(0, segments.length - nextIndex(segments));

export const renderSong = defineAction({
  id: 'generate.renderSong',
  label: 'Render the remaining segments (queue)',
  shortcut: 'Mod+Shift+G',
  group: 'Generate',
  enabled: ({ store }) => !!generateStore.pack() && remainingSegments(store.getState().project?.segments ?? []) > 0,
  run: ({ store }) => {
    const segments = store.getState().project!.segments;
    const from = nextIndex(segments);
    generateStore.enqueue(Array.from({ length: remainingSegments(segments) }, (_, k) => ({ segmentIndex: from + k, kind: from + k === 0 ? ('generate' as const) : ('extend' as const) })));
  },
});

export const cancelGeneration = defineAction({
  id: 'generate.cancel',
  label: 'Cancel generation',
  shortcut: 'Mod+.',
  group: 'Generate',
  enabled: () => !!generateStore.getState().running || generateStore.getState().queue.length > 0,
  run: () => void generateStore.cancelAll(),
});

export const exportVideo = defineAction({
  id: 'generate.export',
  label: 'Export the kept takes as a video with music…',
  shortcut: 'Mod+Shift+E',
  group: 'Generate',
  enabled: ({ store }) => !!store.getState().project && !generateStore.getState().running,
  run: () => exportDialog.open(),
});

export const generateActions: Action[] = [generateNext, renderSong, cancelGeneration, exportVideo];

/**
 * What a model pack is, in words the pack picker and the result show (issue 23 #6): the bundled pack is a demo
 * trained on synthetic figures, and its blurry output must not read as a finished result.
 */
import type { PackSummary } from '../../../electron/shared/domain/model-pack';

/** The bundled pack's id (assets/models/musedance-tiny). */
export const DEMO_PACK_ID = 'musedance-tiny';

export const OWN_WEIGHTS_HINT = 'README → “Use your own weights”';

export function packBadge(pack: Pick<PackSummary, 'id' | 'source' | 'width' | 'height'> | undefined | null): { label: string; demo: boolean } {
  if (!pack) return { label: 'no model pack', demo: false };
  const size = pack.width && pack.height ? `${pack.width}×${pack.height}` : 'size unknown';
  if (pack.source === 'bundled' && pack.id === DEMO_PACK_ID) {
    return { label: `${pack.id} · ${size} · demo model trained on synthetic figures — expect blurry blobs, not a finished video`, demo: true };
  }
  return { label: `${pack.id} · ${size} · ${pack.source === 'bundled' ? 'bundled' : 'your pack'}`, demo: false };
}

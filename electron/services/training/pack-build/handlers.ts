/** Channels of `pack build` (electron/shared/contract/pack-build.ts); one PackBuildService per studio. */
import type { packBuildChannels } from '../../../shared/contract/pack-build';
import type { HandlersFor } from '../../../ipc/registry';
import type { StudioServices } from '../../studio-services';
import { PackBuildService } from './pack-build-service';

export const packBuildHandlers = ({ config }: StudioServices): HandlersFor<typeof packBuildChannels> => {
  const builder = new PackBuildService(config);
  const hooks = (ctx: { signal: AbortSignal; progress(f: number | null, m: string): void }) => ({ signal: ctx.signal, progress: (f: number | null, m: string) => ctx.progress(f, m) });
  return {
    'pack.probeSources': async ({ sources }) => ({ probes: await builder.probe(sources) }),
    'pack.buildEstimate': ({ sources, size }, ctx) => builder.estimate(sources, size, hooks(ctx)),
    'pack.build': (req, ctx) => builder.build(req, hooks(ctx)),
  };
};

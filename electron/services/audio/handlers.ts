import type { beatsChannels } from '../../shared/contract/beats';
import type { HandlersFor, HandlerContext } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { BeatAnalysisService } from './beat-analysis-service';

const progressOf = (ctx: HandlerContext) => ({ signal: ctx.signal, onProgress: (fraction: number | null, message: string) => ctx.progress(fraction, message) });

export const beatsHandlers = ({ config }: StudioServices): HandlersFor<typeof beatsChannels> => {
  const service = new BeatAnalysisService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath, cacheDir: BeatAnalysisService.cacheDirFor(config.dataDir) });
  return {
    'beats.analyse': ({ path, refresh }, ctx) => service.analyse(path, { ...progressOf(ctx), refresh }),
    'beats.peaks': ({ path, ...window }, ctx) => service.peaks(path, window, progressOf(ctx)),
    'beats.redetect': ({ path, startSec, endSec, anchoredSec, tempoBpm }, ctx) => service.redetect(path, { startSec, endSec, anchoredSec, tempoBpm }, progressOf(ctx)),
  };
};

import type { beatsChannels } from '../../shared/contract/beats';
import type { HandlersFor, HandlerContext } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import path from 'node:path';
import { BeatAnalysisService } from './beat-analysis-service';
import { beatNetLoader } from './beat-net-loader';
import { BEAT_NET_DIR_NAME } from './beat-net/model-files';

const progressOf = (ctx: HandlerContext) => ({ signal: ctx.signal, onProgress: (fraction: number | null, message: string) => ctx.progress(fraction, message) });

export const beatsHandlers = ({ config }: StudioServices): HandlersFor<typeof beatsChannels> => {
  const service = new BeatAnalysisService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath, cacheDir: BeatAnalysisService.cacheDirFor(config.dataDir), loadBeatNet: beatNetLoader(path.join(config.bundledPacksDir, BEAT_NET_DIR_NAME)) });
  return {
    'beats.analyse': ({ path, refresh, tracker }, ctx) => service.analyse(path, { ...progressOf(ctx), refresh, tracker }),
    'beats.peaks': ({ path, ...window }, ctx) => service.peaks(path, window, progressOf(ctx)),
    'beats.redetect': ({ path, startSec, endSec, anchoredSec, tempoBpm }, ctx) => service.redetect(path, { startSec, endSec, anchoredSec, tempoBpm }, progressOf(ctx)),
  };
};

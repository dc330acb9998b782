import type { mediaChannels } from '../../shared/contract/media';
import type { HandlerContext, HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { exportVideo } from './export-video';
import { importClip } from './import-clip';
import { importImage } from './import-image';
import { importSong } from './import-song';
import { probeMedia } from './probe';
import { readSettings } from './settings-tag';
import type { MediaJobOptions, MediaTools } from './tools';
import { resolveMediaTools } from './locate-tools';
import { discardUpload, receiveChunk, stageLocalFile } from './upload-staging';
import { browseRoots } from '../files/index';
import { readBeatCues, writeBeatCues } from './wav-cues';

const jobOptions = (ctx: HandlerContext): MediaJobOptions => ({
  signal: ctx.signal,
  onProgress: (fraction, message) => ctx.progress(fraction, message),
});

export const mediaHandlers = ({ config }: StudioServices): HandlersFor<typeof mediaChannels> => {
  const tools: MediaTools = resolveMediaTools({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
  return {
    'media.probe': ({ path, require }, ctx) => probeMedia(path, { ...tools, require, signal: ctx.signal }),
    'media.importImage': (request, ctx) => importImage(tools, { ...request, ...jobOptions(ctx) }),
    'media.importSong': (request, ctx) => importSong(tools, { ...request, ...jobOptions(ctx) }),
    'media.importClip': (request, ctx) => importClip(tools, { ...request, ...jobOptions(ctx) }),
    'media.export': (request, ctx) => exportVideo(tools, { ...request, ...jobOptions(ctx) }),
    'media.readSettings': async ({ path }, ctx) => ({ settings: await readSettings(tools.ffprobePath, path, ctx.signal) }),
    'media.writeBeatCues': (request, ctx) => writeBeatCues(tools, { ...request, ...jobOptions(ctx) }),
    'media.readBeatCues': ({ path }) => readBeatCues(path),
    'media.upload': (chunk) => receiveChunk(chunk),
    'media.stageFile': ({ projectDir, uploadId, path }) => stageLocalFile(projectDir, uploadId, path, browseRoots().map((r) => r.path)),
    'media.discardUpload': async ({ projectDir, uploadId }) => ({ removed: await discardUpload(projectDir, uploadId) }),
  };
};

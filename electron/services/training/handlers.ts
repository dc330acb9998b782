import type { trainingChannels } from '../../shared/contract/training';
import type { Emit, HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { DatasetService } from './dataset/dataset-service';
import { TrainingService } from './training-service';

/** Hosts whose emit receives run events (the browser host and Electron each have one stable emit). */
const MAX_EMITTERS = 16;

/** One TrainingService (live runs) and DatasetService per studio. */
export const trainingHandlers = ({ config, media }: StudioServices): HandlersFor<typeof trainingChannels> => {
  const training = new TrainingService(config, media);
  const datasets = new DatasetService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
  // Run events reach whichever host dispatched a training call (the emit of a host is stable for its lifetime).
  const emitters = new Set<Emit>();
  training.subscribe((e) => emitters.forEach((emit) => emit('training.event', e)));
  const listen = (ctx: { emit: Emit }) => {
    if (emitters.size < MAX_EMITTERS) emitters.add(ctx.emit);
  };
  const hooks = (ctx: { signal: AbortSignal; progress(f: number | null, m: string): void }) => ({ signal: ctx.signal, onProgress: (f: number | null, m: string) => ctx.progress(f, m) });

  return {
    'training.checkPython': (_req, ctx) => training.checkPython(ctx.signal),
    'training.basePacks': async () => ({
      packs: (await training.basePacks()).map((p) => ({ dir: p.dir, name: p.name, geometry: p.geometry, hasWeights: !!p.weightsPath, source: p.source })),
    }),
    'training.datasetCreate': ({ dir, geometry, basePack, config: name }) => datasets.create(dir, { geometry, basePack, config: name }),
    'training.datasetOpen': ({ dir }) => datasets.open(dir),
    'training.datasetAddClips': ({ dir, paths, crop, caption }, ctx) => datasets.addClips(dir, paths, { crop, caption, ...hooks(ctx) }),
    'training.datasetUpload': (req) => datasets.upload(req.dir, req),
    'training.datasetUpdateClip': ({ dir, clipId, caption, beatTimesSec, crop }, ctx) => datasets.updateClip(dir, clipId, { caption, beatTimesSec, crop }, hooks(ctx)),
    'training.datasetBulkCaption': ({ dir, clipIds, mode, text, find }) => datasets.bulkCaption(dir, clipIds, mode, text, find),
    'training.datasetRemoveClip': ({ dir, clipId }) => datasets.removeClip(dir, clipId),
    'training.estimate': ({ spec }) => training.estimate(spec),
    'training.start': ({ spec, runDir }, ctx) => {
      listen(ctx);
      return training.start(spec, runDir);
    },
    'training.pause': ({ runId }, ctx) => {
      listen(ctx);
      return training.liveRun(runId).pause();
    },
    'training.resume': (req, ctx) => {
      listen(ctx);
      return training.resume(req);
    },
    'training.cancel': ({ runId }, ctx) => {
      listen(ctx);
      return training.liveRun(runId).cancel();
    },
    'training.runs': async (_req, ctx) => {
      listen(ctx);
      return { runs: await training.list() };
    },
    'training.run': (req) => training.details(req),
    'training.exportPack': (req, ctx) => training.exportPack(req, hooks(ctx)),
  };
};

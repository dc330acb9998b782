import type { generateChannels } from '../../shared/contract/generate';
import type { HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { probeProviders } from '../onnx/providers';
import { InferenceService } from './inference-service';
import { listPacks, resolvePackDir } from './pack-registry';
import { validatePack } from './pack-validator';
import { resolveInProject, resolveProject } from './take-store';

/** One inference service per studio (its ORT worker and open pack are process-wide state). */
const services = new WeakMap<StudioServices, InferenceService>();
export const inferenceServiceFor = (s: StudioServices): InferenceService => {
  let service = services.get(s);
  if (!service) services.set(s, (service = new InferenceService(s.config)));
  return service;
};

export const generateHandlers = (s: StudioServices): HandlersFor<typeof generateChannels> => ({
  'pack.list': async ({ validate }, ctx) => {
    const [packs, selection] = await Promise.all([listPacks(s.config, { validate, signal: ctx.signal }), probeProviders()]);
    for (const p of packs) if (!p.problem) s.media.setPack(p.id, p.dir);
    return { packs, provider: { selected: selection.selected, reason: selection.selectedReason } };
  },
  'pack.validate': async ({ dir }, ctx) => {
    let done = 0;
    const { report } = await validatePack(dir, { signal: ctx.signal, onCheck: (c) => ctx.progress(Math.min(1, ++done / 5), c.name) });
    return report;
  },
  'generate.estimate': ({ packId, steps, segments, measure }, ctx) => inferenceServiceFor(s).estimate(packId, steps, segments, measure, ctx.signal),
  'generate.segment': async (req, ctx) => {
    const projectRoot = await resolveProject(req.projectDir);
    const referenceFile = await resolveInProject(projectRoot, req.referencePath, 'Reference image');
    const songFile = await resolveInProject(projectRoot, req.songPath, 'Song');
    resolvePackDir(s.config, req.packId);
    const result = await inferenceServiceFor(s).generateSegment(
      { ...req, projectRoot, referenceFile, songFile },
      {
        signal: ctx.signal,
        progress: ctx.progress,
        preview: ctx.jobId ? (p) => ctx.emit('generate.preview', { jobId: ctx.jobId!, segmentId: req.segmentId, ...p }) : undefined,
      },
    );
    return { take: result.take, segmentId: req.segmentId, framesDir: result.framesDir, previewVideo: result.previewVideo, frames: result.frames, fps: result.fps, qa: result.qa, timings: result.timings, provider: result.provider };
  },
  'generate.takeInfo': async ({ projectDir, takePath }) => inferenceServiceFor(s).takeInfo(await resolveProject(projectDir), takePath),
  'generate.export': async (req, ctx) => {
    const projectRoot = await resolveProject(req.projectDir);
    const songFile = req.songPath ? await resolveInProject(projectRoot, req.songPath, 'Song') : null;
    return inferenceServiceFor(s).exportTakes({ ...req, projectRoot, songFile }, { signal: ctx.signal, progress: ctx.progress });
  },
  'generate.monitor': async ({ projectDir, takePaths, fps }, ctx) =>
    inferenceServiceFor(s).assembleMonitor(await resolveProject(projectDir), takePaths, fps, { signal: ctx.signal, progress: ctx.progress }),
});

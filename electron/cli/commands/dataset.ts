import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes } from '../../shared/domain/training';
import type { CliCommand } from '../command';
import { userPath } from '../job';

const parseCrop = (text: string | undefined) => {
  if (text === undefined) return undefined;
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0)) throw new StudioError('CLI_USAGE', '--crop takes x,y,width,height in source pixels.');
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
};

export const datasetCommand: CliCommand = {
  name: 'dataset',
  summary: 'Prepare a training dataset (DATASET.md) from video clips with music',
  usage: 'dataset prepare <clips...> --out <dir> [--config tiny|sd15 | --pack <dir>] [--caption "<text>"] [--crop x,y,w,h]  [--json]',
  options: { out: 'string', config: 'string', pack: 'string', caption: 'string', crop: 'string' },
  async run(args, ctx) {
    const [sub, ...clips] = args.positional;
    const given = args.options.out as string | undefined;
    if (sub !== 'prepare' || clips.length === 0 || !given) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const config = args.options.config as string | undefined;
    if (config !== undefined && config !== 'tiny' && config !== 'sd15') throw new StudioError('CLI_USAGE', '--config must be tiny or sd15.');
    const out = userPath(given);
    const hasDataset = await fs.stat(path.join(out, 'sources.json')).then(() => true, () => false);
    if (!hasDataset) {
      await ctx.call('training.datasetCreate', { dir: out, config: config as 'tiny' | 'sd15' | undefined, basePack: args.options.pack ? userPath(args.options.pack as string) : undefined });
      ctx.status(`Created dataset ${out}`);
    }
    ctx.status(`Preparing ${clips.length} clip(s)...`);
    const r = await ctx.call('training.datasetAddClips', {
      dir: out,
      paths: clips.map((c) => userPath(c)),
      crop: parseCrop(args.options.crop as string | undefined),
      caption: args.options.caption as string | undefined,
    });
    const lines = r.results.map((x) =>
      x.clip && x.clip.status === 'ready'
        ? `ok    ${path.basename(x.source)}: ${x.clip.frameCount} frames, ${x.clip.windows.length} window(s), ${x.clip.beatTimesSec.length} beats (${x.clip.tempoBpm.toFixed(1)} BPM), motion ${x.clip.motionScore}`
        : `SKIP  ${path.basename(x.source)}: ${x.error?.message}`,
    );
    const added = r.results.filter((x) => x.clip?.status === 'ready').length;
    if (added === 0) {
      const first = r.results.find((x) => x.error)?.error;
      throw new StudioError(first?.code ?? TrainingErrorCodes.datasetInvalid, `No clip could be used: ${first?.message ?? 'unknown reason'}`);
    }
    const d = r.dataset;
    const json = {
      dir: d.dir,
      geometry: d.geometry,
      trainWindows: d.trainWindows,
      clips: r.results.map((x) => ({ source: x.source, ok: x.clip?.status === 'ready', clipId: x.clip?.status === 'ready' ? x.clip.id : null, windows: x.clip?.windows ?? [], frames: x.clip?.frameCount ?? 0, beats: x.clip?.beatTimesSec.length ?? 0, error: x.error })),
    };
    return { json, text: [...lines, `${d.dir}: ${d.trainWindows} training window(s) at ${d.geometry.width}x${d.geometry.height}, ${d.geometry.fps} fps`].join('\n') };
  },
};

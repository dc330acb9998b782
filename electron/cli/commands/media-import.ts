import { StudioError } from '../../shared/result';
import type { CliCommand } from '../command';
import { callJob, userPath } from '../job';

const crop = (value: unknown) => {
  if (value === undefined) return undefined;
  const m = /^(\d+),(\d+),(\d+),(\d+)$/.exec(String(value));
  if (!m) throw new StudioError('CLI_USAGE', '--crop must be x,y,width,height in source pixels.');
  return { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
};

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import a reference image or a song into a project, or a training clip into frames + audio',
  usage:
    'import image <projectDir> <file> --size <WxH> [--crop x,y,w,h] | import song <projectDir> <file> | import clip <file> <outDir> --fps <n> --size <WxH>  [--json]',
  options: { size: 'string', crop: 'string', fps: 'number' },
  async run(args, ctx) {
    const [sub, a, b, ...extra] = args.positional;
    const usage = new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    if (!a || !b || extra.length) throw usage;
    const size = () => {
      const m = /^(\d+)x(\d+)$/.exec(String(args.options.size ?? ''));
      if (!m) throw new StudioError('CLI_USAGE', '--size must be WIDTHxHEIGHT, e.g. 512x512.');
      return { width: Number(m[1]), height: Number(m[2]) };
    };
    if (sub === 'image') {
      const r = await callJob(ctx, 'media.importImage', { projectDir: userPath(a), path: userPath(b), crop: crop(args.options.crop), ...size() });
      return { json: r, text: `Imported ${r.original.originalName} as ${r.original.path}; prepared ${r.width}x${r.height} image ${r.prepared.path}` };
    }
    if (sub === 'song') {
      const r = await callJob(ctx, 'media.importSong', { projectDir: userPath(a), path: userPath(b) });
      return { json: r, text: `Imported ${r.song.originalName} (${r.probe.durationSec?.toFixed(2)} s) as ${r.song.path}; working copies ${r.mono16kPath}, ${r.stereo44kPath}` };
    }
    if (sub === 'clip') {
      if (args.options.fps === undefined) throw usage;
      const r = await callJob(ctx, 'media.importClip', { path: userPath(a), outDir: userPath(b), fps: args.options.fps as number, ...size() });
      return { json: r, text: `Extracted ${r.frameCount} frames at ${r.fps} fps (${r.width}x${r.height}) to ${r.framesDir}; audio ${r.audioPath ?? 'none'}` };
    }
    throw usage;
  },
};

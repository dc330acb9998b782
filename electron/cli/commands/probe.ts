import { StudioError } from '../../shared/result';
import { MediaRequirement } from '../../shared/domain/media';
import type { CliCommand } from '../command';
import { userPath } from '../job';

export const probeCommand: CliCommand = {
  name: 'probe',
  summary: 'Inspect a media file (kind, duration, streams) or say why it cannot be used',
  usage: 'probe <file> [--require any|image|audio|video] [--json]',
  options: { require: 'string' },
  async run(args, ctx) {
    const [file, ...extra] = args.positional;
    if (!file || extra.length) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const require = MediaRequirement.safeParse(args.options.require ?? 'any');
    if (!require.success) throw new StudioError('CLI_USAGE', `--require must be one of any, image, audio, video.`);
    const p = await ctx.call('media.probe', { path: userPath(file), require: require.data });
    const lines = [
      `${p.path}: ${p.kind} (${p.container}), ${p.sizeBytes} bytes`,
      p.durationSec !== null ? `  duration ${p.durationSec.toFixed(3)} s` : null,
      p.width ? `  ${p.width}x${p.height} ${p.codec}` : `  codec ${p.codec}`,
      p.hasAudio ? `  audio ${p.audioCodec}, ${p.sampleRate} Hz, ${p.channels} channel(s)` : '  no audio',
      ...p.streams.map((s) => `  stream #${s.index} ${s.type} ${s.codec ?? 'unknown'}${s.width ? ` ${s.width}x${s.height}` : ''}${s.sampleRate ? ` ${s.sampleRate} Hz ${s.channels} ch` : ''}${s.attachedPicture ? ' (cover art)' : ''}`),
    ].filter((l): l is string => l !== null);
    return { json: p, text: lines.join('\n') };
  },
};

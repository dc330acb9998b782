import { StudioError } from '../../shared/result';
import { ExportFormat, GenerationSettings } from '../../shared/domain/media';
import type { CliCommand } from '../command';
import { callJob, userPath } from '../job';
import { readRegularText } from '../../services/util/safe-open';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a folder of PNG frames with the matching music range as MP4, WebM, GIF or PNG sequence',
  usage:
    'export <framesDir> --fps <n> --out <file|dir> [--format mp4|webm|gif|png] [--audio <song> --audio-start <sec>] [--interpolate 24|30] [--upscale 2] [--aspect native|9:16|1:1|16:9 --fit crop|letterbox] [--max-duration <sec>] [--settings <settings.json>] [--overwrite] [--json]',
  options: { fps: 'number', out: 'string', format: 'string', audio: 'string', 'audio-start': 'number', interpolate: 'number', upscale: 'number', aspect: 'string', fit: 'string', 'max-duration': 'number', settings: 'string', overwrite: 'boolean' },
  async run(args, ctx) {
    const [framesDir, ...extra] = args.positional;
    const o = args.options;
    if (!framesDir || extra.length || o.fps === undefined || !o.out) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const out = userPath(o.out as string);
    const format = ExportFormat.safeParse(o.format ?? (/\.(mp4|webm|gif)$/i.exec(out)?.[1]?.toLowerCase() ?? 'mp4'));
    if (!format.success) throw new StudioError('CLI_USAGE', '--format must be mp4, webm, gif or png.');
    let settings: GenerationSettings | undefined;
    if (o.settings) {
      const text = await readRegularText(userPath(o.settings as string), { maxBytes: 4 * 1024 * 1024 }).then(
        (r) => r.text,
        (e: Error) => {
          throw new StudioError('CLI_USAGE', `cannot read ${String(o.settings)}: ${e.message}`);
        },
      );
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new StudioError('CLI_USAGE', `${String(o.settings)} is not JSON.`);
      }
      const parsed = GenerationSettings.safeParse(json);
      if (!parsed.success) throw new StudioError('CLI_USAGE', `${String(o.settings)} is not valid generation settings: ${parsed.error.issues[0]?.message}`);
      settings = parsed.data;
    }
    const r = await callJob(ctx, 'media.export', {
      framesDir: userPath(framesDir),
      fps: o.fps as number,
      out,
      format: format.data,
      audio: o.audio ? { path: userPath(o.audio as string), startSec: (o['audio-start'] as number | undefined) ?? 0 } : undefined,
      interpolateFps: o.interpolate as 24 | 30 | undefined,
      upscale: o.upscale as 1 | 2 | 3 | 4 | undefined,
      aspect: o.aspect as 'native' | '9:16' | '1:1' | '16:9' | undefined,
      fit: o.fit as 'crop' | 'letterbox' | undefined,
      maxDurationSec: o['max-duration'] as number | undefined,
      settings,
      overwrite: (o.overwrite as boolean | undefined) ?? false,
    });
    const speed = r.elapsedSec > 0 ? r.durationSec / r.elapsedSec : 0;
    return {
      json: r,
      text: `Exported ${r.frames} frames ${r.width}x${r.height} (${r.durationSec.toFixed(2)} s at ${r.outputFps} fps) to ${r.out}, ${r.sizeBytes} bytes in ${r.elapsedSec.toFixed(2)} s (${speed.toFixed(1)}x real time)${o.audio && !r.hasAudio ? '; this format carries no audio' : ''}${settings && !r.settingsStored ? '; this format cannot store the settings' : ''}`,
    };
  },
};

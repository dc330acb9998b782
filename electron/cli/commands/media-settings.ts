import { StudioError } from '../../shared/result';
import type { CliCommand } from '../command';
import { userPath } from '../job';

export const settingsCommand: CliCommand = {
  name: 'settings',
  summary: 'Print the generation settings stored in an exported MP4/WebM (or PNG-sequence folder)',
  usage: 'settings <file> [--json]',
  options: {},
  async run(args, ctx) {
    const [file, ...extra] = args.positional;
    if (!file || extra.length) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const { settings } = await ctx.call('media.readSettings', { path: userPath(file) });
    const text = [
      `pack ${settings.packId}${settings.packVersion ? ` ${settings.packVersion}` : ''}, ${settings.fps} fps, beats ${settings.beatsHash}`,
      ...settings.segments.map((s) => `  frames ${s.startFrame}..${s.startFrame + s.frames - 1} seed ${s.seed}: ${s.prompt}`),
    ].join('\n');
    return { json: { settings }, text };
  },
};

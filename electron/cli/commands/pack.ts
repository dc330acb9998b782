import path from 'node:path';
import { StudioError } from '../../shared/result';
import type { CliCommand } from '../command';
import { userPath } from '../job';

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'Validate a model pack folder, or list bundled and installed packs',
  usage: 'pack validate <dir> [--json] | pack list [--validate] [--json]',
  options: { validate: 'boolean' },
  async run(args, ctx) {
    const [sub, given, extra] = args.positional;
    if (sub === 'list' && given === undefined) {
      const r = await ctx.call('pack.list', { validate: args.options.validate === true });
      const lines = r.packs.map((p) => `${p.problem ? 'FAIL' : 'ok  '} ${p.id.padEnd(24)} ${p.source.padEnd(8)} ${p.problem ? p.problem.message : `${p.width}x${p.height} ${p.fps} fps K=${p.framesPerSegment} ${((p.totalBytes ?? 0) / 1024 ** 2).toFixed(1)} MB`}  ${p.dir}`);
      return { json: r, text: [...(lines.length ? lines : ['no model packs found']), `provider: ${r.provider.reason}`].join('\n') };
    }
    if (sub !== 'validate' || !given || extra !== undefined) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const r = await ctx.call('pack.validate', { dir: userPath(given) });
    if (!r.valid) throw new StudioError(r.error?.code ?? 'PACK_INVALID', `${given}: ${r.error?.message ?? 'invalid pack'}`);
    return { json: r, text: [`${r.dir}: valid model pack "${r.name}"`, ...r.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`)].join('\n') };
  },
};

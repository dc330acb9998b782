import { StudioError } from '../../shared/result';
import type { CliCommand } from '../command';

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Create or validate a project folder',
  usage: 'project new <dir> [--name <name>] | project validate <dir>  [--json]',
  options: { name: 'string' },
  async run(args, ctx) {
    const [sub, dir] = args.positional;
    if (!dir || (sub !== 'new' && sub !== 'validate')) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    if (sub === 'new') {
      const name = (args.options.name as string | undefined) ?? dir.split(/[\\/]/).filter(Boolean).pop() ?? 'Untitled';
      const r = await ctx.call('project.new', { dir, name });
      return { json: { dir: r.dir, project: r.project }, text: `Created project "${r.project.name}" in ${r.dir}` };
    }
    const r = await ctx.call('project.open', { dir });
    const p = r.project;
    return {
      json: { valid: true, dir: r.dir, version: p.version, beats: p.beats.length, segments: p.segments.length },
      text: `${r.dir}: valid project v${p.version} "${p.name}", ${p.beats.length} beats, ${p.segments.length} segments`,
    };
  },
};

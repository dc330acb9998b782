import path from 'node:path';
import { StudioError } from '../../shared/result';
import type { CliCommand } from '../command';
import { userPath } from '../job';

const SUBCOMMANDS = ['new', 'validate', 'inspect'] as const;

export const projectCommand: CliCommand = {
  name: 'project',
  summary: 'Create, validate or inspect (recovery copies) a project folder',
  usage: 'project new <dir> [--name <name>] | project validate <dir> | project inspect <dir>  [--json]',
  options: { name: 'string' },
  async run(args, ctx) {
    const [sub, given, extra] = args.positional;
    if (!given || extra !== undefined || !SUBCOMMANDS.includes(sub as (typeof SUBCOMMANDS)[number])) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    // The services only take absolute folders; a typed path is relative to where the user runs the command.
    const dir = userPath(given);
    if (sub === 'new') {
      const name = (args.options.name as string | undefined) ?? (path.basename(dir) || 'Untitled');
      const r = await ctx.call('project.new', { dir, name });
      // The CLI process ends now: release the lock so the studio does not mistake it for a crash.
      await ctx.call('project.close', { discardUnsaved: false });
      return { json: { dir: r.dir, project: r.project }, text: `Created project "${r.project.name}" (format ${r.project.version}) in ${r.dir}` };
    }
    if (sub === 'inspect') {
      const r = await ctx.call('project.inspect', { dir });
      const lines = [`${r.dir}: ${r.saved.ok ? `saved "${r.saved.summary.name}" (write ${r.saved.summary.seq}, ${r.saved.summary.savedAt})` : `project.json unreadable: ${r.saved.message}`}`];
      if (r.crashed) lines.push('the last session did not close the project (stale lock)');
      for (const c of r.candidates) {
        lines.push(`${c.id === r.recommended ? '*' : ' '} ${c.id} (write ${c.summary.seq}, ${c.summary.savedAt})${c.newerThanSaved ? ' newer than saved' : ''}`);
        for (const d of c.differences) lines.push(`    ${d}`);
      }
      for (const s of r.skipped) lines.push(`  skipped ${s.file}: ${s.reason}`);
      if (!r.candidates.length) lines.push('no recovery copies');
      return { json: r, text: lines.join('\n') };
    }
    const r = await ctx.call('project.validate', { dir });
    if (!r.valid) throw new StudioError(r.error?.code ?? 'PROJECT_INVALID', r.error?.message ?? `${r.dir} is not a valid project.`);
    const migration = r.needsMigration ? ` (format ${r.version}; upgraded to ${r.currentVersion} when opened)` : '';
    return {
      json: r,
      text: [`${r.dir}: valid project v${r.version} "${r.name}"${migration}, ${r.beats} beats, ${r.segments} segments, ${r.backups} backups`, ...r.warnings.map((w) => `  warning: ${w}`)].join('\n'),
    };
  },
};

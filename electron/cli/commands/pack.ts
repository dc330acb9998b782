import path from 'node:path';
import { StudioError } from '../../shared/result';
import { DEFAULT_BUILD_SIZE, type PackBuildEstimate, type PackSources } from '../../shared/contract/pack-build';
import type { CliCommand, CliContext } from '../command';
import { callJob, userPath } from '../job';
import type { ParsedArgs } from '../args';

const USAGE = [
  'pack validate <dir> [--json] | pack list [--validate] [--json]',
  'pack build --sd15 <diffusers dir> [--ast <dir>] [--animate-anyone <dir>] [--motion-module <file>] [--height 256 --width 256 --frames 4] --out <pack dir> [--name N] [--estimate-only] [--json]',
  'pack export --run <run dir> --out <pack dir> [--name N] [--json]',
].join('\n       ');

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(b < 10 * 1024 ** 3 ? 2 : 1)} GiB`;

function sourcesOf(args: ParsedArgs): PackSources {
  const o = args.options;
  const sd15 = o.sd15 as string | undefined;
  if (!sd15) throw new StudioError('CLI_USAGE', `pack build needs --sd15 <diffusers folder>; usage: ${USAGE}`);
  return {
    sd15: userPath(sd15),
    ...(o.ast ? { ast: userPath(o.ast as string) } : {}),
    ...(o['animate-anyone'] ? { animateAnyone: userPath(o['animate-anyone'] as string) } : {}),
    ...(o['motion-module'] ? { motionModule: userPath(o['motion-module'] as string) } : {}),
  };
}

function sizeOf(args: ParsedArgs) {
  const pick = (key: 'height' | 'width' | 'frames') => {
    const v = args.options[key] as number | undefined;
    if (v === undefined) return DEFAULT_BUILD_SIZE[key];
    if (!Number.isInteger(v) || v < 1) throw new StudioError('CLI_USAGE', `--${key} must be a whole number >= 1.`);
    if (key !== 'frames' && v % 8) throw new StudioError('CLI_USAGE', `--${key} must be a multiple of 8 (the VAE works on 8x8 pixel blocks).`);
    return v;
  };
  return { height: pick('height'), width: pick('width'), frames: pick('frames') };
}

const estimateLines = (e: PackBuildEstimate) => [
  `estimate: ${e.summary}`,
  ...e.gpu.parts.slice(0, 4).map((p) => `  GPU ${gib(p.bytes).padStart(10)}  ${p.what}`),
];

async function build(args: ParsedArgs, ctx: CliContext) {
  const sources = sourcesOf(args);
  const size = sizeOf(args);
  const probes = (await ctx.call('pack.probeSources', { sources })).probes;
  for (const p of probes) ctx.status(`${p.ok ? 'ok  ' : 'MISSING'} ${p.kind}: ${p.found.map((f) => f.role).join(', ') || 'nothing recognised'}${p.missing.length ? `; missing ${p.missing.join('; ')}` : ''}`);
  if (args.options['estimate-only']) {
    const e = await callJob(ctx, 'pack.buildEstimate', { sources, size }, 'estimate');
    return { json: { probes, estimate: e }, text: estimateLines(e).join('\n') };
  }
  const out = args.options.out as string | undefined;
  if (!out) throw new StudioError('CLI_USAGE', `pack build needs --out <pack folder>; usage: ${USAGE}`);
  const r = await callJob(ctx, 'pack.build', { sources, size, out: userPath(out), ...(args.options.name ? { name: String(args.options.name) } : {}) }, 'build');
  const text = [
    `${r.packDir}: pack "${r.name}" built in ${r.seconds.toFixed(0)} s, ${gib(r.bytes)} on disk`,
    `  ${r.loadCheck}`,
    ...(r.estimate ? estimateLines(r.estimate) : []),
    `  use it: npm run -s musedance -- generate --pack ${r.packDir} --image <img> --audio <song> --prompt "..." --steps 20 --out dance.mp4`,
  ].join('\n');
  return { json: { probes, ...r }, text };
}

async function exportRun(args: ParsedArgs, ctx: CliContext) {
  const run = args.options.run as string | undefined;
  const out = args.options.out as string | undefined;
  if (!run || !out) throw new StudioError('CLI_USAGE', `usage: ${USAGE}`);
  const r = await callJob(ctx, 'training.exportPack', { runDir: userPath(run), outDir: userPath(out), ...(args.options.name ? { name: String(args.options.name) } : {}) }, 'export');
  return { json: r, text: `${r.packDir}: pack "${r.name}" exported (${r.loadCheck})` };
}

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'Model packs: list, validate, build from your own SD1.5 (+ AST, AnimateAnyone, AnimateDiff) weights, export a training run',
  usage: USAGE,
  options: { validate: 'boolean', sd15: 'string', ast: 'string', 'animate-anyone': 'string', 'motion-module': 'string', height: 'number', width: 'number', frames: 'number', out: 'string', name: 'string', run: 'string', 'estimate-only': 'boolean' },
  async run(args, ctx) {
    const [sub, given, extra] = args.positional;
    if (sub === 'build' && given === undefined) return build(args, ctx);
    if (sub === 'export' && given === undefined) return exportRun(args, ctx);
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

/**
 * `generate`: image + song + prompt -> a dancing video, segment after segment (each extends the previous one),
 * muxed with the music. Works in a scratch folder laid out like a project (copies of the inputs, takes/) that is
 * removed at the end; goes through the same channels as the studio (generate.segment, generate.export).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCodes, StudioError } from '../../shared/result';
import type { CliCommand, CliContext } from '../command';
import { callJob, userPath } from '../job';
import type { ReplyOf } from '../../shared/contract/index';

const usage = 'generate --image <img> --audio <song> --prompt "<text>" [--start s] [--segments N | --whole] [--seed n] [--steps n] [--guidance x] [--pack dir|id] [--beats "t1,t2,..."] --out <video.mp4> [--json]';

const num = (v: unknown, name: string, fallback: number | undefined): number | undefined => {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StudioError('CLI_USAGE', `--${name} must be a number.`);
  return v;
};

/** `--pack` names a folder (not a pack id) when it has a slash or exists as a path. */
const packFolder = (pack: unknown): string | null =>
  pack && (String(pack).includes('/') || fs.existsSync(userPath(String(pack)))) ? userPath(String(pack)) : null;

/** Length of the song's audio (the decoded stream), for `--whole`. */
async function songDuration(ctx: CliContext, audio: string): Promise<number> {
  const probe = await ctx.call('media.probe', { path: audio, require: 'audio' });
  if (probe.durationSec === null) throw new StudioError('MEDIA_NO_DURATION', `${audio}: the song has no known duration.`);
  return probe.durationSec;
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Make an image dance to a song: generate segments with a model pack and export the video with the music',
  usage,
  options: { image: 'string', audio: 'string', prompt: 'string', start: 'number', segments: 'number', whole: 'boolean', seed: 'number', steps: 'number', guidance: 'number', pack: 'string', beats: 'string', out: 'string', 'keep-work': 'boolean' },
  configure(args, config) {
    const dir = packFolder(args.options.pack);
    return dir ? { ...config, extraPackDirs: [dir, ...(config.extraPackDirs ?? [])] } : config;
  },
  async run(args, ctx) {
    const o = args.options;
    if (!o.image || !o.audio || !o.out || typeof o.prompt !== 'string') throw new StudioError('CLI_USAGE', `usage: ${usage}`);
    if (o.whole && o.segments !== undefined) throw new StudioError('CLI_USAGE', 'use either --segments or --whole, not both.');
    const image = userPath(String(o.image));
    const audio = userPath(String(o.audio));
    const out = userPath(String(o.out));
    for (const [label, file] of [['--image', image], ['--audio', audio]] as const) if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new StudioError('CLI_USAGE', `${label} ${file} is not a file.`);

    // Pack: an id, or a folder (given to this run's studio as a pack folder by `configure`).
    let packId = String(o.pack ?? 'musedance-tiny');
    const packDir = packFolder(o.pack);
    if (packDir) {
      const v = await ctx.call('pack.validate', { dir: packDir });
      if (!v.valid) throw new StudioError(v.error?.code ?? 'PACK_INVALID', `${o.pack}: ${v.error?.message}`);
      packId = path.basename(packDir);
    }
    const packs = await ctx.call('pack.list', { validate: false });
    const pack = packs.packs.find((p) => p.id === packId);
    if (!pack) throw new StudioError('PACK_NOT_FOUND', `No model pack "${packId}"; pass --pack <dir>. Known: ${packs.packs.map((p) => p.id).join(', ') || 'none'}.`);
    if (pack.problem) throw new StudioError(pack.problem.code, `${packId}: ${pack.problem.message}`);
    const fps = pack.fps!;
    const K = pack.framesPerSegment!;
    const steps = num(o.steps, 'steps', pack.defaultSteps ?? 20)!;
    const guidance = num(o.guidance, 'guidance', pack.defaultGuidance ?? 3.5)!;
    const seed = num(o.seed, 'seed', 0)!;
    const startSec = num(o.start, 'start', 0)!;
    if (startSec < 0) throw new StudioError('CLI_USAGE', '--start must be >= 0.');

    let durationSec: number;
    let beatsSec: number[];
    let beatsSource: 'option' | 'detected' | 'none';
    if (typeof o.beats === 'string') {
      beatsSource = 'option';
      beatsSec = o.beats.split(',').filter(Boolean).map((t) => {
        const v = Number(t);
        if (!Number.isFinite(v) || v < 0) throw new StudioError('CLI_USAGE', `--beats: ${JSON.stringify(t)} is not a time in seconds.`);
        return v;
      });
      durationSec = await songDuration(ctx, audio);
    } else {
      ctx.status('Analysing the song (beats)');
      try {
        const analysis = await callJob(ctx, 'beats.analyse', { path: audio }, 'beats');
        beatsSec = analysis.beatTimesSec;
        durationSec = analysis.durationSec;
        beatsSource = 'detected';
      } catch (error) {
        if (error instanceof StudioError && error.code === ErrorCodes.cancelled) throw error;
        // Generation still works without beats (the beat input is all zeros, like the unconditional row);
        // say so loudly instead of pretending beats were used.
        ctx.status(`warning: beat detection failed (${error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : 'error'}); generating without beat conditioning. Pass --beats to give them.`);
        beatsSec = [];
        beatsSource = 'none';
        durationSec = await songDuration(ctx, audio);
      }
    }
    const startFrame = Math.round(startSec * fps);
    const available = Math.max(1, Math.ceil(((durationSec - startSec) * fps) / K));
    const segments = o.whole ? available : Math.floor(num(o.segments, 'segments', 1)!);
    if (segments < 1 || segments > 5000) throw new StudioError('CLI_USAGE', '--segments must be 1..5000.');

    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-generate-'));
    try {
      fs.writeFileSync(path.join(work, 'project.json'), '{"scratch":"musedance generate"}\n');
      fs.mkdirSync(path.join(work, 'media'));
      const imageRel = `media/reference${path.extname(image).toLowerCase() || '.png'}`;
      const songRel = `media/song${path.extname(audio).toLowerCase() || '.wav'}`;
      fs.copyFileSync(image, path.join(work, imageRel));
      fs.copyFileSync(audio, path.join(work, songRel));
      const takes: string[] = [];
      const qa = [];
      let previous: string | null = null;
      const started = Date.now();
      for (let s = 0; s < segments; s++) {
        const r: ReplyOf<'generate.segment'> = await callJob(
          ctx,
          'generate.segment',
          { projectDir: work, packId, segmentId: `seg-${s + 1}`, startFrame: startFrame + s * K, prompt: o.prompt, seed: (seed + s) >>> 0, steps, guidance, beatsSec, referencePath: imageRel, songPath: songRel, previousTakePath: previous, previewDecodeEvery: 0, previewVideo: false },
          `segment ${s + 1}/${segments}`,
        );
        takes.push(r.take.path);
        qa.push({ segment: s + 1, ...r.qa, secondsPerStep: r.timings.secondsPerStep, totalSec: r.timings.totalSec });
        previous = r.take.path;
      }
      const exported = await callJob(ctx, 'generate.export', { projectDir: work, takePaths: takes, songPath: songRel, startFrame, fps, out, format: 'mp4', overwrite: true }, 'export');
      const json = { out: exported.out, segments, frames: exported.frames, fps, durationSec: exported.durationSec, sizeBytes: exported.sizeBytes, packId, steps, guidance, seed, beats: beatsSec.length, beatsSource, elapsedSec: (Date.now() - started) / 1000, qa };
      const text = [`Wrote ${exported.out}: ${segments} segment(s), ${exported.frames} frames at ${fps} fps with music (${exported.durationSec.toFixed(2)} s) in ${json.elapsedSec.toFixed(1)} s`, ...qa.map((q) => `  segment ${q.segment}: SSIM vs reference ${q.ssimMean.toFixed(2)}, seam ${q.flickerRatio === null ? '-' : q.flickerRatio.toFixed(2) + 'x'}, beat alignment ${q.beatAlignment === null ? '-' : q.beatAlignment.toFixed(2)}${q.warnings.length ? `  (${q.warnings.join('; ')})` : ''}`)].join('\n');
      return { json, text };
    } finally {
      if (!o['keep-work']) fs.rmSync(work, { recursive: true, force: true });
    }
  },
};

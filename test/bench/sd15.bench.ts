/**
 * SD1.5 at real parameter count, random weights (issue 20), on this machine. Not part of `npm test` (minutes).
 *   BENCH sd15.pack_build_seconds        `pack build` (PackBuildService: the Python builder + validation) at 256x256, K=4
 *   BENCH sd15.pack_bytes                the pack on disk
 *   BENCH sd15.step_seconds_256_k4_cpu   one DDIM step (UNet, CFG batch 2) through ONNX Runtime on CPU, from a real
 *                                        2-step `generate.segment` that writes frames
 *   BENCH sd15.peak_rss_gb               the larger of the builder's and this process's (ORT sessions) peak RSS
 *   BENCH sd15.estimate_256_k4_cpu_gb    the engine's memory estimate for what was just run (compare with peak RSS)
 *   BENCH sd15.estimate_640_k48_gpu_gb / _cpu_gb / _gpu_segment_seconds / _cpu_segment_seconds
 *                                        the engine's estimate for the paper's 640x640, K=48 (CPU time calibrated
 *                                        by the step measured here), with where the memory goes.
 * Sources: MUSEDANCE_SD15_SOURCES (a make_fake_sources.py --width full folder), else generated into
 * $TMPDIR/musedance-sd15-sources (~9 GB, kept). MUSEDANCE_SD15_PACK: use an already built pack (build not timed).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bench } from './report';
import { createStudio } from '../../electron/services/composition-root';
import { loadConfig } from '../../electron/services/config';
import { inferenceServiceFor } from '../../electron/services/inference/handlers';
import { estimatePack, formatGiB } from '../../electron/services/inference/inference-estimate';
import { Manifest } from '../../electron/services/inference/manifest';
import { PackBuildService } from '../../electron/services/training/pack-build/pack-build-service';

const PYTHON = process.env.MUSEDANCE_PYTHON || '/usr/bin/python3';
const GB = 1e9;
const SIZE = { height: 256, width: 256, frames: 4 };
const MACHINE_BYTES = os.totalmem();

function sources(): Record<string, string> {
  const given = process.env.MUSEDANCE_SD15_SOURCES;
  const dir = given ? path.resolve(given) : path.join(os.tmpdir(), 'musedance-sd15-sources');
  const paths = { sd15: path.join(dir, 'sd15'), ast: path.join(dir, 'ast'), animateAnyone: path.join(dir, 'animate-anyone'), motionModule: path.join(dir, 'mm_sd_v15_v2.ckpt') };
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    console.log(`# generating full-width fake sources in ${dir}`);
    execFileSync('nice', ['-n', '10', PYTHON, path.resolve('native-models/scripts/make_fake_sources.py'), '--width', 'full', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
  }
  return paths;
}

export default async function sd15Bench(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-sd15-bench-'));
  const config = { ...loadConfig(), dataDir: path.join(work, 'data') };
  let packDir = process.env.MUSEDANCE_SD15_PACK ? path.resolve(process.env.MUSEDANCE_SD15_PACK) : '';
  let builderPeak = 0;
  try {
    if (!packDir) {
      packDir = path.join(work, 'sd15-256-k4');
      const started = performance.now();
      let lastLine = '';
      const built = await new PackBuildService(config).build(
        { sources: sources() as never, size: SIZE, out: packDir },
        { progress: (f, m) => (m !== lastLine ? console.log(`# build ${f === null ? '' : `${Math.round(f * 100)}% `}${(lastLine = m)}`) : undefined), log: (l) => /peak|GiB|error/i.test(l) && console.log(`# builder: ${l.slice(0, 200)}`) },
      );
      bench('sd15.pack_build_seconds', (performance.now() - started) / 1000, 's');
      builderPeak = built.peakRssBytes ?? 0;
    } else console.log(`# using the pack in ${packDir} (build not timed here)`);
    const m = Manifest.parse(JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8')));
    const c = m.config;
    if (c.height !== SIZE.height || c.width !== SIZE.width || c.framesPerSegment !== SIZE.frames) console.log(`# note: this pack is ${c.width}x${c.height}, K=${c.framesPerSegment}: the *_256_k4 figures below are at that size`);
    const bytes = Object.values(m.files).reduce((s, f) => s + f.bytes, 0);
    bench('sd15.pack_bytes', bytes, 'bytes');
    if (typeof m.training?.peakRssBytes === 'number') builderPeak = Math.max(builderPeak, m.training.peakRssBytes as number);

    // generate: a project with a reference image and a song, 2 DDIM steps through ORT (CPU), frames written
    const project = path.join(work, 'project');
    fs.mkdirSync(path.join(project, 'media'), { recursive: true });
    fs.writeFileSync(path.join(project, 'project.json'), '{}');
    const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args]);
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=320x240', '-frames:v', '1', path.join(project, 'media', 'ref.png'));
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:d=2', path.join(project, 'media', 'song.wav'));
    process.env.MUSEDANCE_PACK_DIRS = packDir;
    const studio = createStudio('test', config);
    const atOwn = estimatePack(m, { provider: 'cpu', steps: 2 });
    bench('sd15.estimate_256_k4_cpu_gb', atOwn.peakBytes / GB, 'GB');
    const r = (await studio.registry.dispatch('generate.segment', {
      projectDir: project, packId: path.basename(packDir), segmentId: 'seg-1', startFrame: 0, prompt: 'a person dancing', seed: 1, steps: 2, guidance: 3.5,
      beatsSec: [0.1], referencePath: 'media/ref.png', songPath: 'media/song.wav', previousTakePath: null, previewVideo: false,
    })) as { ok: boolean; value?: { timings: { secondsPerStep: number }; framesDir: string; frames: number }; error?: { code: string; message: string } };
    const rss = process.resourceUsage().maxRSS * 1024;
    bench('sd15.peak_rss_gb', Math.max(rss, builderPeak) / GB, 'GB');
    let measured: { secondsPerStep: number; shape: { height: number; width: number; frames: number; motionFrames: number } } | undefined;
    if (r.ok && r.value) {
      const frames = fs.readdirSync(path.join(project, r.value.framesDir)).filter((f) => f.endsWith('.png')).length;
      console.log(`# generate: ${frames} frames written in ${r.value.framesDir}, ${r.value.timings.secondsPerStep.toFixed(1)} s per step`);
      bench('sd15.step_seconds_256_k4_cpu', r.value.timings.secondsPerStep, 's');
      measured = { secondsPerStep: r.value.timings.secondsPerStep, shape: { height: m.config.height, width: m.config.width, frames: m.config.framesPerSegment, motionFrames: m.config.motionFrames } };
    } else console.log(`# generate did not run: ${r.error?.code} ${r.error?.message}`);
    await inferenceServiceFor(studio).close();

    const paper = { height: 640, width: 640, frames: 48, motionFrames: m.config.motionFrames };
    const gpu = estimatePack(m, { provider: 'cuda', steps: 20, shape: paper });
    const cpu = estimatePack(m, { provider: 'cpu', steps: 20, shape: paper, measured });
    bench('sd15.estimate_640_k48_gpu_gb', gpu.peakBytes / GB, 'GB');
    bench('sd15.estimate_640_k48_cpu_gb', cpu.peakBytes / GB, 'GB');
    bench('sd15.estimate_640_k48_gpu_segment_seconds', gpu.secondsPerSegment, 's');
    bench('sd15.estimate_640_k48_cpu_segment_seconds', cpu.secondsPerSegment, 's');
    console.log(`# engine estimate 640x640 K=48: ${gpu.summary}`);
    for (const [label, e] of [['256x256 K=4 (run here)', atOwn], ['640x640 K=48', gpu]] as const) {
      if (e.peakBytes > MACHINE_BYTES || label.startsWith('640')) {
        console.log(`# where the memory goes at ${label} (${e.peakBytes > MACHINE_BYTES ? `does not fit this machine's ${formatGiB(MACHINE_BYTES)}` : 'fits'}):`);
        for (const p of e.parts) console.log(`#   ${formatGiB(p.bytes).padStart(10)}  ${p.what}`);
      }
    }
  } finally {
    delete process.env.MUSEDANCE_PACK_DIRS;
    if (!process.env.MUSEDANCE_SD15_KEEP) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`# kept ${work}`);
  }
}

/**
 * `pack build`: the user's own pretrained weights -> a pack the studio lists, validates and runs. Probes the
 * sources (file names), asks the Python builder for its estimate (the config it derives from the tensors,
 * parameters, size on disk), turns it into the engine's GPU/CPU estimate (inference-estimate.ts), runs the
 * build as one supervised child process (pack-build-process.ts: progress, cancel, errors as values), and
 * validates the result with the inference engine's own validator before reporting success.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StudioError } from '../../../shared/result';
import type { BuildSize, PackBuildEstimate, PackBuildReply, PackSources } from '../../../shared/contract/pack-build';
import type { StudioConfig } from '../../config';
import { archFromConfig, estimateInference, estimatePack, formatGiB, RUNTIME_OVERHEAD_BYTES, timeFromFlops, validatePack } from '../../inference/index';
import { PackBuildErrorCodes, runPackBuild } from './pack-build-process';
import type { BuildEvent, BuildEventOf } from './pack-build-protocol';
import { probeSources } from './source-probe';

/** A full-size sd15 build on CPU takes tens of minutes (import, trace and write six graphs, hash GBs). */
export const BUILD_TIMEOUT_MS = 3 * 60 * 60_000;
/** Python start + torch import + a meta-device build of the network. */
export const ESTIMATE_TIMEOUT_MS = 10 * 60_000;
/** Steps the estimate assumes per segment (the manifest's default for built packs). */
export const ESTIMATE_STEPS = 20;
/** Folder name in the studio's pack list when the user names nothing. */
export const DEFAULT_PACK_NAME = 'my-sd15';

export interface Hooks {
  signal?: AbortSignal;
  progress?(fraction: number | null, message: string): void;
  log?(line: string): void;
}

const sourceArgs = (s: PackSources, size: BuildSize): string[] => [
  '--sd15', s.sd15,
  ...(s.ast ? ['--ast', s.ast] : []),
  ...(s.animateAnyone ? ['--animate-anyone', s.animateAnyone] : []),
  ...(s.motionModule ? ['--motion-module', s.motionModule] : []),
  '--height', String(size.height),
  '--width', String(size.width),
  '--frames', String(size.frames),
];

const gib = formatGiB;
const secs = (s: number) => (s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/**
 * GPU and CPU figures from the builder's estimate: its `inference` block is native-models' meta-device trace of
 * this very network at this size (weights, one UNet run's activations, FLOPs); time comes from the engine's
 * throughput model. A builder without that block gets the engine's analytic model from the config it reports.
 */
export function inferenceFigures(e: BuildEventOf<'estimate'>, size: BuildSize) {
  const inf = (e.inference ?? {}) as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const motionFrames = n((e as Record<string, unknown>).motionFrames) ?? n(e.config?.motion_frames) ?? 2;
  const shape = { height: size.height, width: size.width, frames: size.frames, motionFrames };
  const weightsBytes = n(inf.weightsBytes) ?? (n(e.parameters) ?? 0) * 4;
  const activationBytes = n(inf.activationBytes);
  const unetFlops = n(inf.unetFlops);
  return (['cuda', 'cpu'] as const).map((provider) => {
    if (activationBytes === null || unetFlops === null) {
      if (!e.config) throw new StudioError(PackBuildErrorCodes.failed, "The pack builder's estimate has neither an inference block nor a config; update native-models.");
      return estimateInference(archFromConfig(e.config), 'fp32', shape, { provider, steps: ESTIMATE_STEPS, weightsBytes });
    }
    const t = timeFromFlops(unetFlops, provider, 'fp32', ESTIMATE_STEPS, size.frames);
    const overhead = RUNTIME_OVERHEAD_BYTES[provider];
    const parts = [
      { what: 'one UNet run (CFG batch 2): attention scores, largest layer outputs, skips', bytes: activationBytes },
      { what: 'weights of the six graphs (fp32)', bytes: weightsBytes },
      { what: `ONNX Runtime (${provider}) overhead`, bytes: overhead },
    ].sort((a, b) => b.bytes - a.bytes);
    return { peakBytes: weightsBytes + activationBytes + overhead, secondsPerSegment: t.secondsPerSegment, parts, flopsPerSecond: t.flopsPerSecond };
  }) as [{ peakBytes: number; secondsPerSegment: number; parts: { what: string; bytes: number }[]; flopsPerSecond: number }, { peakBytes: number; secondsPerSegment: number; parts: { what: string; bytes: number }[]; flopsPerSecond: number }];
}

export class PackBuildService {
  constructor(private readonly config: StudioConfig) {}

  probe(sources: Partial<PackSources>) {
    return probeSources(sources);
  }

  /** Refuses sources that lack required files, naming them, before any Python starts. */
  private async checkSources(sources: PackSources): Promise<void> {
    for (const p of await probeSources(sources)) {
      if (!p.ok) throw new StudioError(PackBuildErrorCodes.sources, `${p.kind} source ${p.path}: missing ${p.missing.join('; ')}.${p.notes.length ? ' ' + p.notes[0] : ''}`);
    }
  }

  private run(args: string[], hooks: Hooks, timeoutMs: number, onEvent?: (e: BuildEvent) => void) {
    return runPackBuild({ pythonPath: this.config.pythonPath, modelsDir: this.config.nativeModelsDir, args, signal: hooks.signal, timeoutMs, onEvent, log: hooks.log });
  }

  private toEstimate(e: BuildEventOf<'estimate'>, size: BuildSize): PackBuildEstimate {
    const parameters = typeof e.parameters === 'number' ? e.parameters : null;
    const [gpu, cpu] = inferenceFigures(e, size);
    const freeMemoryBytes = os.freemem();
    const buildBytes = typeof e.buildBytes === 'number' ? e.buildBytes : null;
    const summary = [
      `${size.width}x${size.height}, K=${size.frames}${parameters ? `, ${(parameters / 1e9).toFixed(2)} B parameters` : ''}${typeof e.packBytes === 'number' ? `, pack ~${gib(e.packBytes)} on disk` : ''}.`,
      `GPU: ~${gib(gpu.peakBytes)}, ~${secs(gpu.secondsPerSegment)} per segment (${ESTIMATE_STEPS} steps, assumed ${(gpu.flopsPerSecond / 1e12).toFixed(0)} TFLOP/s).`,
      `CPU: ~${gib(cpu.peakBytes)} RAM, ~${secs(cpu.secondsPerSegment)} per segment; this machine has ${gib(freeMemoryBytes)} free${cpu.peakBytes > freeMemoryBytes ? ' (not enough to run it here on CPU)' : ''}.`,
      `Largest: ${gpu.parts[0]!.what} ${gib(gpu.parts[0]!.bytes)}.`,
      buildBytes ? `The build needs ~${gib(buildBytes)} RAM.` : '',
    ].filter(Boolean).join(' ');
    return {
      size,
      parameters,
      packBytes: typeof e.packBytes === 'number' ? e.packBytes : null,
      gpu: { peakBytes: gpu.peakBytes, secondsPerSegment: gpu.secondsPerSegment, parts: gpu.parts },
      cpu: { peakBytes: cpu.peakBytes, secondsPerSegment: cpu.secondsPerSegment, parts: cpu.parts },
      steps: ESTIMATE_STEPS,
      buildBytes,
      freeMemoryBytes,
      summary,
    };
  }

  async estimate(sources: PackSources, size: BuildSize, hooks: Hooks = {}): Promise<PackBuildEstimate> {
    await this.checkSources(sources);
    hooks.progress?.(null, 'Reading the sources\' shapes (Python)');
    let estimate: BuildEventOf<'estimate'> | null = null;
    await this.run([...sourceArgs(sources, size), '--estimate-only'], hooks, ESTIMATE_TIMEOUT_MS, (e) => {
      if (e.type === 'estimate') estimate = e;
    });
    if (!estimate) throw new StudioError(PackBuildErrorCodes.failed, 'The pack builder finished without an estimate.');
    return this.toEstimate(estimate, size);
  }

  async build(request: { sources: PackSources; size: BuildSize; out?: string; name?: string }, hooks: Hooks = {}): Promise<PackBuildReply> {
    const { sources, size } = request;
    const out = path.resolve(request.out ?? path.join(this.config.dataDir, 'packs', request.name ?? DEFAULT_PACK_NAME));
    await this.checkSources(sources);
    const existing = await fs.readdir(out).catch(() => null);
    if (existing && existing.length > 0) throw new StudioError('PACK_BUILD_OUT_EXISTS', `${out} already exists and is not empty; choose a new folder for the pack.`);
    const name = request.name ?? path.basename(out);
    // The builder writes into `<out>.partial-*` next to --out and renames at the end; a killed one leaves it.
    const partials = async () => (await fs.readdir(path.dirname(out)).catch(() => [] as string[])).filter((n) => n.startsWith(`${path.basename(out)}.partial`));
    const before = new Set(await partials());
    let estimate: PackBuildEstimate | null = null;
    let report: Record<string, unknown> | null = null;
    const started = performance.now();
    hooks.progress?.(0, 'Starting the pack builder (Python)');
    try {
      const done = await this.run([...sourceArgs(sources, size), '--out', out, '--name', name], hooks, BUILD_TIMEOUT_MS, (e) => {
        if (e.type === 'estimate') {
          estimate = this.toEstimate(e, size);
          hooks.progress?.(null, `Estimate: ${estimate.summary}`);
        } else if (e.type === 'progress') hooks.progress?.(typeof e.fraction === 'number' ? 0.95 * e.fraction : null, e.stage ? `${e.stage}: ${e.message}` : e.message);
        else if (e.type === 'report' && e.components) report = e.components;
      });
      const packDir = done.packDir ?? out;
      hooks.progress?.(0.96, 'Validating the pack (sha256 of every file, graph interfaces)');
      const { report: validation, pack } = await validatePack(packDir, { signal: hooks.signal });
      if (!pack) throw new StudioError(PackBuildErrorCodes.failed, `The built pack does not pass validation: ${validation.error?.message ?? 'unknown problem'}`);
      const m = pack.manifest;
      report ??= (m.importReport as Record<string, unknown> | undefined) ?? null;
      const built = estimatePack(m, { provider: 'cuda', steps: ESTIMATE_STEPS });
      hooks.progress?.(1, 'Pack ready');
      return {
        packDir: pack.dir,
        name: m.name,
        manifestPath: path.join(pack.dir, 'manifest.json'),
        bytes: pack.totalBytes,
        seconds: (performance.now() - started) / 1000,
        loadCheck: `inference engine validation: ${validation.checks.filter((c) => c.ok).length} checks passed; GPU estimate: ${built.summary}`,
        report,
        estimate,
        peakRssBytes: typeof done.peakRssBytes === 'number' ? done.peakRssBytes : null,
      };
    } catch (error) {
      // A cancelled or failed build leaves nothing behind at --out (the folder did not exist or was empty).
      await fs.rm(out, { recursive: true, force: true }).catch(() => undefined);
      for (const n of await partials()) if (!before.has(n)) await fs.rm(path.join(path.dirname(out), n), { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
  }
}

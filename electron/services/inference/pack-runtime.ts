/**
 * A validated pack with live ONNX Runtime sessions (in the worker thread) and the pieces around the graphs:
 * tokenizer, fbank, scheduler. One method per graph, each taking/returning plain typed arrays in the layouts
 * PACK.md fixes. Session metadata is compared with the manifest right after the sessions are created.
 */
import { StudioError } from '../../shared/result';
import { probeProviders } from '../onnx/providers';
import { ClipTokenizer } from './clip-tokenizer';
import { DdimScheduler } from './ddim';
import { kaldiFbank, toAudioEncoderInput } from './kaldi-fbank';
import { GRAPH_NAMES, type GraphName, type Manifest, type TensorSpec } from './manifest';
import { OrtWorker, type SessionMeta, type TensorData } from './ort-worker-client';
import { compareTensors, loadValidPack, type ValidPack } from './pack-validator';
import { InferenceErrorCodes as E } from './pack-errors';
import { checkFits, freeMemory } from './memory-guard';
import type { InferenceEstimate } from './inference-estimate';

export interface Shapes {
  K: number;
  M: number;
  C: number;
  h: number;
  w: number;
  H: number;
  W: number;
  /** Elements of one latent frame (C*h*w). */
  latentFrame: number;
}

export const shapesOf = (m: Manifest): Shapes => {
  const c = m.config;
  const h = c.height / c.vaeDownsample;
  const w = c.width / c.vaeDownsample;
  return { K: c.framesPerSegment, M: c.motionFrames, C: c.latentChannels, h, w, H: c.height, W: c.width, latentFrame: c.latentChannels * h * w };
};

const metaToSpec = (m: SessionMeta['inputs'][number]): TensorSpec => ({ name: m.name, dtype: m.type as TensorSpec['dtype'], shape: m.shape });

export interface RuntimeOptions {
  provider?: 'cuda' | 'cpu';
  intraOpThreads?: number;
  signal?: AbortSignal;
  /** Skip the free-memory check (benchmarks that measure what happens anyway). */
  skipMemoryCheck?: boolean;
}

export class PackRuntime {
  readonly shapes: Shapes;
  readonly tokenizer: ClipTokenizer;
  readonly scheduler: DdimScheduler;
  /** Measured time of the last UNet run (ms), for estimates. */
  lastUnetMs: number | null = null;
  /** The free-memory check's estimate at the pack's shape (null when the check was skipped). */
  memoryEstimate: InferenceEstimate | null = null;

  private constructor(
    readonly pack: ValidPack,
    readonly provider: 'cuda' | 'cpu',
    readonly providerReason: string,
    private readonly worker: OrtWorker,
    readonly sessionMeta: Record<GraphName, SessionMeta>,
  ) {
    const m = pack.manifest;
    this.shapes = shapesOf(m);
    this.tokenizer = ClipTokenizer.fromText(pack.vocabText, pack.mergesText, m.tokenizer.padTokenId);
    this.scheduler = new DdimScheduler(m.scheduler);
  }

  get manifest(): Manifest {
    return this.pack.manifest;
  }

  static async open(dir: string, options: RuntimeOptions = {}): Promise<PackRuntime> {
    const pack = await loadValidPack(dir, { signal: options.signal });
    const selection = await probeProviders();
    const provider = options.provider ?? selection.selected;
    const reason = options.provider ? `${options.provider.toUpperCase()} requested explicitly.` : selection.selectedReason;
    // Before any session: a pack that does not fit is refused with its estimate instead of swapping the machine.
    const fit = options.skipMemoryCheck ? null : checkFits(pack.manifest, provider, await freeMemory(provider));
    const worker = new OrtWorker();
    worker.start();
    try {
      const meta = (await worker.load(pack.graphFiles, provider, options.intraOpThreads)) as Record<GraphName, SessionMeta>;
      for (const g of GRAPH_NAMES) {
        const spec = pack.manifest.graphs[g];
        const problem =
          compareTensors(`graphs.${g}.inputs`, spec.inputs, meta[g].inputs.map(metaToSpec)) ??
          compareTensors(`graphs.${g}.outputs`, spec.outputs, meta[g].outputs.map(metaToSpec), { unknownDimsMatch: true });
        if (problem) throw new StudioError(E.graphMismatch, `${problem} (ONNX Runtime session metadata).`);
      }
      const runtime = new PackRuntime(pack, provider, reason, worker, meta);
      runtime.memoryEstimate = fit;
      return runtime;
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.worker.stop();
  }

  /** Hard stop of a run in flight (used when a cancelled step outlives its grace period). */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }

  private async run(graph: GraphName, feeds: Record<string, TensorData>): Promise<Record<string, Float32Array>> {
    const { outputs, runMs } = await this.worker.run(graph, feeds);
    if (graph === 'unet') this.lastUnetMs = runMs;
    const out: Record<string, Float32Array> = {};
    for (const spec of this.manifest.graphs[graph].outputs) {
      const t = outputs[spec.name];
      if (!t) throw new StudioError(E.run, `${graph} returned no ${spec.name}.`);
      const expected = spec.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== expected) throw new StudioError(E.run, `${graph}.${spec.name} has ${t.data.length} values, the manifest shape [${spec.shape.join(',')}] needs ${expected}.`);
      out[spec.name] = t.data as Float32Array;
    }
    return out;
  }

  tokenize(prompt: string): number[] {
    return this.tokenizer.encode(prompt, this.manifest.tokenizer.maxLength);
  }

  async textEmbeds(prompt: string): Promise<Float32Array> {
    const ids = BigInt64Array.from(this.tokenize(prompt).map(BigInt));
    return (await this.run('text_encoder', { input_ids: { dtype: 'int64', dims: [1, 77], data: ids } })).text_embeds!;
  }

  /** The audio encoder input for one segment's samples (PACK.md "Audio"). */
  fbankInput(samples: Float32Array): Float32Array {
    const a = this.manifest.audio;
    const raw = kaldiFbank(samples, { sampleRateHz: a.sampleRateHz, numMelBins: a.numMelBins, frameLengthMs: a.frameLengthMs, frameShiftMs: a.frameShiftMs });
    return toAudioEncoderInput(raw, a.numMelBins, a.fbankFrames, a.normMean, a.normStd);
  }

  async musicTokens(fbank: Float32Array): Promise<Float32Array> {
    return (await this.run('audio_encoder', { fbank: { dtype: 'float32', dims: [1, this.manifest.audio.fbankFrames, 128], data: fbank } })).music_tokens!;
  }

  async encodeImage(image: Float32Array): Promise<Float32Array> {
    const s = this.shapes;
    return (await this.run('vae_encoder', { image: { dtype: 'float32', dims: [1, 3, s.H, s.W], data: image } })).latents!;
  }

  async decodeLatent(latent: Float32Array): Promise<Float32Array> {
    const s = this.shapes;
    return (await this.run('vae_decoder', { latents: { dtype: 'float32', dims: [1, s.C, s.h, s.w], data: latent } })).image!;
  }

  async referenceFeatures(refLatents: Float32Array, textEmbeds: Float32Array): Promise<Record<string, Float32Array>> {
    const s = this.shapes;
    return this.run('reference_net', {
      ref_latents: { dtype: 'float32', dims: [1, s.C, s.h, s.w], data: refLatents },
      text_embeds: { dtype: 'float32', dims: [1, 77, this.manifest.config.textDim], data: textEmbeds },
    });
  }

  /** One UNet run on the CFG batch of 2; inputs already laid out as [2, ...]. */
  async unet(inputs: { latents2: Float32Array; timestep: number; text2: Float32Array; music2: Float32Array; beat2: Float32Array; motion2: Float32Array; refFeats: Record<string, Float32Array> }): Promise<Float32Array> {
    const s = this.shapes;
    const c = this.manifest.config;
    const feeds: Record<string, TensorData> = {
      latents: { dtype: 'float32', dims: [2, s.K, s.C, s.h, s.w], data: inputs.latents2 },
      timestep: { dtype: 'float32', dims: [1], data: Float32Array.of(inputs.timestep) },
      text_embeds: { dtype: 'float32', dims: [2, 77, c.textDim], data: inputs.text2 },
      music_tokens: { dtype: 'float32', dims: [2, c.musicTokens, c.audioDim], data: inputs.music2 },
      beat_onehot: { dtype: 'float32', dims: [2, s.K], data: inputs.beat2 },
      motion_latents: { dtype: 'float32', dims: [2, s.M, s.C, s.h, s.w], data: inputs.motion2 },
    };
    for (const spec of this.manifest.graphs.reference_net.outputs) feeds[spec.name] = { dtype: 'float32', dims: spec.shape, data: inputs.refFeats[spec.name]! };
    return (await this.run('unet', feeds)).noise_pred!;
  }

  /** Runs any graph with raw feeds (golden-vector tests, benchmarks). */
  runRaw(graph: GraphName, feeds: Record<string, TensorData>): Promise<Record<string, Float32Array>> {
    return this.run(graph, feeds);
  }
}

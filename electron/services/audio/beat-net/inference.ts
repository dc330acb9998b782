/**
 * Beat network inference (issue 22): mel frames in, per-frame beat and downbeat probabilities out, by ONNX
 * Runtime in a worker thread (the inference domain's `OrtWorker`: a run never blocks the main thread).
 *
 * The network is all convolutions with `contextFrames` frames of context on each side, so a song is run in
 * chunks of `chunkFrames` output frames, each fed with its context: the result equals one run over the whole song
 * (the TS test checks it), while memory holds one chunk of features, not the song's spectrogram.
 * `BeatNetStream` takes frames as the decoder produces them (pass its `melSink.onMelFrame` to the OnsetStream);
 * `beatNetActivations` does features + network for a PCM buffer in memory.
 */
import { OrtWorker } from '../../inference';
import { ANALYSIS_SAMPLE_RATE } from '../analysis-params';
import { FloatList, OnsetStream, type OnsetFeatures } from '../onset-stream';
import { MelFrameBlocks } from './features';
import { loadBeatNetModel, type BeatNetModel } from './model-files';

export interface BeatActivations {
  /** Frames per second (22050 / 512): frame t is centred at t / fps seconds, as the onset envelope's frames. */
  fps: number;
  /** Probability that a beat falls in frame t. */
  beat: Float32Array;
  /** Probability that a downbeat (first beat of a bar) falls in frame t. */
  downbeat: Float32Array;
}

export interface BeatNetOptions {
  /** Folder with beat_net.onnx + beat_net.json (default: the bundled one). */
  modelDir?: string;
  /** Output frames per network run (default 8192, ~190 s); each run also reads contextFrames on each side. */
  chunkFrames?: number;
  /** ONNX Runtime intra-op threads (default 1: the decoder's ffmpeg runs at the same time). */
  threads?: number;
}

const GRAPH = 'beatnet';

/** One loaded network in its worker thread; reuse it for many songs, `stop()` when done. */
export class BeatNetRunner {
  readonly model: BeatNetModel;
  private readonly worker = new OrtWorker();
  private loaded: Promise<unknown> | null = null;

  constructor(private readonly options: BeatNetOptions = {}) {
    this.model = loadBeatNetModel(options.modelDir);
  }

  get fps(): number {
    return this.model.meta.fps;
  }

  get chunkFrames(): number {
    return this.options.chunkFrames ?? 8192;
  }

  /** Runs the graph once on [frames, melBands] features; returns [frames, 2]. */
  async runOnce(mel: Float32Array, frames: number): Promise<Float32Array> {
    this.loaded ??= this.worker.load({ [GRAPH]: this.model.onnxPath }, 'cpu', this.options.threads ?? 1);
    await this.loaded;
    const { input, output } = this.model.meta;
    const bands = input.shape[2];
    const res = await this.worker.run(GRAPH, { [input.name]: { dtype: 'float32', dims: [1, frames, bands], data: mel.subarray(0, frames * bands) } });
    const out = res.outputs[output.name];
    if (!out || out.data.length !== frames * 2) throw new Error(`beat network returned ${out?.data.length ?? 0} values for ${frames} frames`);
    return out.data as Float32Array;
  }

  /** A stream for one song. */
  stream(): BeatNetStream {
    return new BeatNetStream(this);
  }

  /** Activations for features already in memory ([frames, melBands] row-major), run in chunks. */
  async activations(mel: Float32Array, frames: number): Promise<BeatActivations> {
    const s = this.stream();
    const bands = this.model.meta.input.shape[2];
    const step = 2048;
    for (let a = 0; a < frames; a += step) s.pushFrames(mel.subarray(a * bands, Math.min(frames, a + step) * bands));
    return s.finish(frames);
  }

  async stop(): Promise<void> {
    this.loaded = null;
    await this.worker.stop();
  }
}

/**
 * Frames in (in order, any block size), activations out at `finish`. Holds at most one chunk plus its context of
 * features; chunks run in the worker while more frames arrive.
 */
export class BeatNetStream {
  /** Feed this to `new OnsetStream(stream.melSink.onMelFrame)`. */
  readonly melSink: MelFrameBlocks;
  private readonly bands: number;
  private readonly context: number;
  private readonly chunk: number;
  /** Features of frames [bufStart, bufStart + bufFrames). */
  private buf: Float32Array;
  private bufStart = 0;
  private bufFrames = 0;
  /** First frame whose activations are not scheduled yet. */
  private nextOut = 0;
  private readonly beat = new FloatList();
  private readonly downbeat = new FloatList();
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown = null;

  constructor(private readonly runner: BeatNetRunner) {
    this.bands = runner.model.meta.input.shape[2];
    this.context = runner.model.meta.contextFrames;
    this.chunk = runner.chunkFrames;
    this.buf = new Float32Array((this.chunk + 2 * this.context + 2048) * this.bands);
    this.melSink = new MelFrameBlocks(512, (block) => this.pushFrames(block));
  }

  /** Appends [n, melBands] frames. */
  pushFrames(block: Float32Array): void {
    const n = block.length / this.bands;
    this.reserve(n);
    this.buf.set(block, this.bufFrames * this.bands);
    this.bufFrames += n;
    // A chunk can run once its right context has arrived.
    while (this.bufStart + this.bufFrames >= this.nextOut + this.chunk + this.context) this.schedule(this.nextOut + this.chunk, this.bufStart + this.bufFrames);
  }

  /** Runs what is left; `totalFrames` (the onset envelope's length) trims or pads the result to match it. */
  async finish(totalFrames?: number): Promise<BeatActivations> {
    this.melSink.flush();
    const end = this.bufStart + this.bufFrames;
    while (this.nextOut < end) this.schedule(Math.min(end, this.nextOut + this.chunk), end);
    await this.queue;
    if (this.failure) throw this.failure;
    const n = totalFrames ?? this.beat.length;
    const beat = new Float32Array(n);
    const downbeat = new Float32Array(n);
    beat.set(this.beat.toArray().subarray(0, n));
    downbeat.set(this.downbeat.toArray().subarray(0, n));
    return { fps: this.runner.fps, beat, downbeat };
  }

  /** Schedules output frames [nextOut, outEnd) with input [nextOut - context, min(outEnd + context, available)). */
  private schedule(outEnd: number, available: number): void {
    const outStart = this.nextOut;
    const inStart = Math.max(0, outStart - this.context);
    const inEnd = Math.min(available, outEnd + this.context);
    const frames = inEnd - inStart;
    const input = this.buf.slice((inStart - this.bufStart) * this.bands, (inEnd - this.bufStart) * this.bands);
    this.nextOut = outEnd;
    this.queue = this.queue.then(async () => {
      if (this.failure) return;
      try {
        const out = await this.runner.runOnce(input, frames);
        for (let t = outStart; t < outEnd; t++) {
          const r = t - inStart;
          this.beat.push(out[2 * r]!);
          this.downbeat.push(out[2 * r + 1]!);
        }
      } catch (e) {
        this.failure = e;
      }
    });
    // Frames before the next chunk's left context are no longer needed.
    this.drop(Math.max(0, this.nextOut - this.context) - this.bufStart);
  }

  private drop(frames: number): void {
    if (frames <= 0) return;
    this.buf.copyWithin(0, frames * this.bands, this.bufFrames * this.bands);
    this.bufStart += frames;
    this.bufFrames -= frames;
  }

  private reserve(n: number): void {
    const need = (this.bufFrames + n) * this.bands;
    if (need <= this.buf.length) return;
    const next = new Float32Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.bufFrames * this.bands));
    this.buf = next;
  }
}

/** Features + network for mono PCM at 22050 Hz in memory (tests, short clips). */
export async function beatNetActivations(pcm: Float32Array, runner: BeatNetRunner): Promise<BeatActivations & { onsets: OnsetFeatures }> {
  const stream = runner.stream();
  const onsetStream = new OnsetStream(stream.melSink.onMelFrame);
  const block = ANALYSIS_SAMPLE_RATE * 4;
  for (let i = 0; i < pcm.length; i += block) onsetStream.push(pcm.subarray(i, Math.min(pcm.length, i + block)));
  const onsets = onsetStream.finish();
  const act = await stream.finish(onsets.onsetEnvelope.length);
  return { ...act, onsets };
}


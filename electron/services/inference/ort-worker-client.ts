/**
 * Owner of the ONNX Runtime worker thread (STYLE.md 3: one class owns each long-lived worker; start/stop always
 * settle; timeouts are named with units). Protocol (structured clone, one request at a time, answered in order):
 *   -> { id, type: 'load', graphs: { name: absPath }, provider: 'cuda' | 'cpu', intraOpThreads? }
 *   <- { id, ok, value: { [graph]: { inputs, outputs: {name,isTensor,type,shape}[], loadMs } } }
 *   -> { id, type: 'run', graph, feeds: { name: { dtype, dims, data: ArrayBuffer } } }   (buffers transferred)
 *   <- { id, ok, value: { outputs: { name: { dtype, dims, data } }, runMs } }
 *   -> { id, type: 'release' }
 *   errors: { id, ok: false, error: { code, message } }
 * A running `session.run` cannot be interrupted from outside, so cancellation is cooperative (the engine stops
 * before the next run) and `terminate()` is the hard stop when a run outlives `HARD_STOP_GRACE_MS`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StudioError } from '../../shared/result';
import { APP_ROOT } from '../config';
import { InferenceErrorCodes as E } from './pack-errors';

/** How long stop() waits for a graceful release before terminating the thread. */
export const STOP_GRACE_MS = 5_000;
/** Session creation for sd15-sized graphs can take a while; tiny graphs take well under a second. */
export const LOAD_TIMEOUT_MS = 10 * 60_000;

export interface TensorData {
  dtype: 'float32' | 'int64';
  dims: number[];
  data: Float32Array | BigInt64Array;
}
export interface SessionMeta {
  inputs: Array<{ name: string; isTensor: boolean; type: string; shape: number[] }>;
  outputs: Array<{ name: string; isTensor: boolean; type: string; shape: number[] }>;
  loadMs: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function workerScript(): string {
  const candidates = [path.join(path.dirname(fileURLToPath(import.meta.url)), 'ort-worker.cjs'), path.join(APP_ROOT, 'electron', 'services', 'inference', 'ort-worker.cjs')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new StudioError(E.session, 'The ONNX Runtime worker script (ort-worker.cjs) is missing from this installation.');
  return found;
}

export class OrtWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitError: Error | null = null;

  get running(): boolean {
    return this.worker !== null;
  }

  start(): void {
    if (this.worker) return;
    const worker = new Worker(workerScript());
    this.exitError = null;
    // An idle worker must not keep the process alive (CLI, tests); it is ref'ed while a request is pending.
    worker.unref();
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: { code: string; message: string } }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new StudioError(msg.error?.code ?? E.run, msg.error?.message ?? 'inference failed'));
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.exitError = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new StudioError(E.workerDied, `The inference worker crashed: ${e.message.split('\n')[0]}`)));
    worker.on('exit', (code) => fail(new StudioError(E.workerDied, `The inference worker stopped (exit code ${code}).`)));
    this.worker = worker;
  }

  private request<T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = [], timeoutMs?: number): Promise<T> {
    if (!this.worker) this.start();
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      if (timeoutMs) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          if (this.pending.size === 0) worker.unref();
          reject(new StudioError(E.session, `The inference worker did not answer within ${Math.round(timeoutMs / 1000)} s.`));
          void this.terminate();
        }, timeoutMs);
      }
      this.pending.set(id, {
        resolve: (v) => {
          if (timer) clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      });
      worker.ref();
      worker.postMessage({ ...msg, id }, transfer);
    });
  }

  load(graphs: Record<string, string>, provider: 'cuda' | 'cpu', intraOpThreads?: number): Promise<Record<string, SessionMeta>> {
    return this.request({ type: 'load', graphs, provider, intraOpThreads }, [], LOAD_TIMEOUT_MS);
  }

  /** Runs one graph. Input buffers are transferred (the caller must not reuse them); copy first if needed. */
  async run(graph: string, feeds: Record<string, TensorData>): Promise<{ outputs: Record<string, TensorData>; runMs: number }> {
    const wire: Record<string, { dtype: string; dims: number[]; data: ArrayBuffer }> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      // Own a tight copy so that a view into a larger buffer never transfers (and detaches) the whole buffer.
      const copy = t.dtype === 'int64' ? BigInt64Array.from(t.data as BigInt64Array) : Float32Array.from(t.data as Float32Array);
      wire[name] = { dtype: t.dtype, dims: t.dims, data: copy.buffer as ArrayBuffer };
      transfer.push(copy.buffer as ArrayBuffer);
    }
    const reply = await this.request<{ outputs: Record<string, { dtype: string; dims: number[]; data: ArrayBuffer }>; runMs: number }>({ type: 'run', graph, feeds: wire }, transfer);
    const outputs: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(reply.outputs)) outputs[name] = { dtype: 'float32', dims: t.dims, data: new Float32Array(t.data) };
    return { outputs, runMs: reply.runMs };
  }

  /** Hard stop: the thread is gone when this resolves (pending requests fail with INFERENCE_WORKER_DIED). */
  async terminate(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await worker.terminate();
  }

  /** Graceful: releases sessions, then ends the thread; forced after STOP_GRACE_MS. Always settles. */
  async stop(): Promise<void> {
    if (!this.worker) return;
    const graceful = this.request({ type: 'release' }).catch(() => undefined);
    const timeout = new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref());
    await Promise.race([graceful, timeout]);
    await this.terminate();
  }

  get lastExitError(): Error | null {
    return this.exitError;
  }
}

/**
 * Refuses to open a pack that would not fit: creating sd15 sessions on a machine without the memory swaps it
 * to death (or gets the studio killed) long before ONNX Runtime reports anything. Checked before any session
 * exists, from the manifest alone (inference-estimate.ts), against what the OS says is available now.
 * `MUSEDANCE_FREE_MEMORY_BYTES` overrides the measured figure (tests, and users who know better).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { StudioError } from '../../shared/result';
import { estimatePack, formatGiB, MEMORY_HEADROOM_BYTES, type InferenceEstimate } from './inference-estimate';
import type { Manifest } from './manifest';
import { InferenceErrorCodes as E } from './pack-errors';

/** nvidia-smi answers in well under a second; a hung driver must not hang pack loading. */
const NVIDIA_SMI_TIMEOUT_MS = 5_000;

export interface FreeMemory {
  hostBytes: number;
  /** Free memory of the first GPU, when nvidia-smi answers. */
  gpuBytes: number | null;
}

function gpuFreeBytes(): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=memory.free', '--format=csv,noheader,nounits'], { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      const mib = Number(String(stdout).trim().split('\n')[0]);
      resolve(error || !Number.isFinite(mib) ? null : mib * 1024 ** 2);
    });
  });
}

export async function freeMemory(provider: 'cpu' | 'cuda', env: NodeJS.ProcessEnv = process.env): Promise<FreeMemory> {
  const override = Number(env.MUSEDANCE_FREE_MEMORY_BYTES);
  const hostBytes = env.MUSEDANCE_FREE_MEMORY_BYTES && Number.isFinite(override) ? override : os.freemem();
  return { hostBytes, gpuBytes: provider === 'cuda' ? await gpuFreeBytes() : null };
}

/**
 * Throws INFERENCE_NOT_ENOUGH_MEMORY (with the estimate in the message) when the pack does not fit; returns
 * the estimate otherwise. On CUDA the sessions' weights and activations live on the GPU; the host still holds
 * the weights while the sessions are created.
 */
export function checkFits(m: Manifest, provider: 'cpu' | 'cuda', free: FreeMemory, steps = m.scheduler.defaultNumSteps): InferenceEstimate {
  const est = estimatePack(m, { provider, steps });
  const refuse = (where: string, needBytes: number, freeBytes: number) => {
    throw new StudioError(
      E.memory,
      `Pack "${m.name}" does not fit ${where}: it needs ~${formatGiB(needBytes)} and ${formatGiB(freeBytes)} is free ` +
        `(keeping ${formatGiB(MEMORY_HEADROOM_BYTES)} for the system). Estimate: ${est.summary}. ` +
        `Close other programs, use a GPU with more memory, or build the pack at a smaller --height/--width/--frames.`,
    );
  };
  if (provider === 'cuda') {
    if (free.gpuBytes !== null && est.peakBytes > free.gpuBytes) refuse('in the GPU\'s free memory', est.peakBytes, free.gpuBytes);
    if (est.weightsBytes + MEMORY_HEADROOM_BYTES > free.hostBytes) refuse('in RAM while its sessions are created', est.weightsBytes, free.hostBytes - MEMORY_HEADROOM_BYTES);
  } else if (est.peakBytes + MEMORY_HEADROOM_BYTES > free.hostBytes) {
    refuse('in RAM', est.peakBytes, Math.max(0, free.hostBytes - MEMORY_HEADROOM_BYTES));
  }
  return est;
}

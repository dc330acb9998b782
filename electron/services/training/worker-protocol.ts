/**
 * The TypeScript side of native-models/PROTOCOL.md (version 1): schemas of the worker's stdout events and the
 * commands we send. Events are parsed leniently (extra fields pass) so a newer worker does not break the
 * studio; the fields the supervisor relies on are checked.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const envelope = { seq: z.number().int(), timeMs: z.number() };
const Id = z.string().nullable().optional();

export const HelloEvent = z.object({
  type: z.literal('hello'),
  ...envelope,
  protocol: z.number().int(),
  workerVersion: z.string(),
  torchVersion: z.string(),
  pythonVersion: z.string(),
  device: z.string(),
  deviceName: z.string(),
  cudaAvailable: z.boolean(),
  pid: z.number().int(),
  commands: z.array(z.string()),
});

export const WorkerEvent = z.discriminatedUnion('type', [
  HelloEvent.passthrough(),
  z.object({ type: z.literal('ack'), ...envelope, id: Id, cmd: z.string() }).passthrough(),
  z.object({ type: z.literal('heartbeat'), ...envelope, state: z.string(), runId: z.string().nullable(), step: z.number().int().nullable(), uptimeSec: z.number() }).passthrough(),
  z
    .object({
      type: z.literal('estimate'),
      ...envelope,
      id: Id,
      runId: z.string(),
      parameters: z.number(),
      trainableParameters: z.number(),
      totalBytes: z.number(),
      deviceMemoryBytes: z.number().nullable(),
      secondsPerStep: z.number().nullable(),
      summary: z.string(),
    })
    .passthrough(),
  z
    .object({
      type: z.literal('progress'),
      ...envelope,
      id: Id,
      runId: z.string(),
      stage: z.number().int(),
      step: z.number().int(),
      totalSteps: z.number().int(),
      elapsedSec: z.number(),
      stepsPerSec: z.number().nullable(),
      etaSec: z.number().nullable(),
    })
    .passthrough(),
  z.object({ type: z.literal('loss'), ...envelope, id: Id, runId: z.string(), stage: z.number().int(), step: z.number().int(), loss: z.number(), lr: z.number() }).passthrough(),
  z
    .object({
      type: z.literal('checkpoint'),
      ...envelope,
      id: Id,
      runId: z.string(),
      step: z.number().int(),
      /** Null when a stop had no checkpoint to point at (nothing trained yet). */
      path: z.string().nullable(),
      reason: z.enum(['interval', 'pause', 'cancel', 'terminate', 'final']),
    })
    .passthrough(),
  z.object({ type: z.literal('paused'), ...envelope, id: Id, runId: z.string(), step: z.number().int() }).passthrough(),
  z.object({ type: z.literal('resumed'), ...envelope, id: Id, runId: z.string(), step: z.number().int() }).passthrough(),
  z
    .object({
      type: z.literal('sample'),
      ...envelope,
      id: Id,
      runId: z.string().nullable(),
      step: z.number().int().nullable(),
      dir: z.string(),
      frames: z.array(z.string()),
      audioPath: z.string(),
      fps: z.number(),
      prompt: z.string(),
    })
    .passthrough(),
  z
    .object({
      type: z.literal('done'),
      ...envelope,
      id: Id,
      cmd: z.string(),
      status: z.enum(['completed', 'cancelled', 'terminated', 'failed']),
      runId: z.string().optional(),
      step: z.number().int().nullable().optional(),
      checkpoint: z.string().nullable().optional(),
      packDir: z.string().optional(),
      manifestPath: z.string().optional(),
    })
    .passthrough(),
  z.object({ type: z.literal('error'), ...envelope, id: Id, code: z.string(), message: z.string(), fatal: z.boolean() }).passthrough(),
]);
export type WorkerEvent = z.infer<typeof WorkerEvent>;
export type WorkerEventOf<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;
export type HelloEvent = z.infer<typeof HelloEvent>;

/** Commands of PROTOCOL.md; `id` is added by the worker owner. */
export type WorkerCommand =
  | { cmd: 'train'; runDir: string; datasetDir: string; config: 'tiny' | 'sd15' | Record<string, unknown>; stage: 1 | 2; steps: number; batchSize: number; learningRate: number; seed: number; checkpointEverySteps: number; sampleEverySteps: number; threads: number; initCheckpoint: string | null; device: 'auto' | 'cpu' | 'cuda'; mixedPrecision: 'no' | 'fp16' | 'bf16'; gradientCheckpointing: boolean; lora: { rank: number; alpha: number } | null }
  | { cmd: 'resume'; runDir?: string; steps?: number }
  | { cmd: 'pause' }
  | { cmd: 'cancel' }
  | { cmd: 'sample'; outDir: string; referenceImage: string; audioPath: string; prompt?: string; beatTimesSec?: number[]; audioStartSec?: number; numInferenceSteps?: number; guidanceScale?: number; seed?: number; checkpoint?: string }
  | { cmd: 'export'; checkpoint: string; outDir: string; name?: string; precision?: 'fp32' | 'fp16'; tokenizerDir?: string | null; lora?: 'merge' | 'separate' }
  | { cmd: 'shutdown' };

/** Parses one stdout line; null for a line that is not a known event (logged, never fatal). */
export function parseWorkerLine(line: string): { event: WorkerEvent } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { problem: `not JSON: ${line.slice(0, 200)}` };
  }
  const parsed = WorkerEvent.safeParse(raw);
  if (!parsed.success) {
    const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : '?';
    return { problem: `unexpected ${type} event: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` };
  }
  return { event: parsed.data };
}

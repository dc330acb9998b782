/**
 * Where the shipped beat network lives and what its meta file says (written by native-models
 * `musedance_models/beatnet/export.py`): `<bundledPacksDir>/beat-net/beat_net.{onnx,json}` (assets/models in a
 * checkout, `<resources>/models` when packaged). The folder has no pack manifest, so the pack registry skips it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../../shared/result';
import { APP_ROOT, resourceDirs } from '../../config';
import { BEAT_NET_FEATURES } from './features';

export const BEAT_NET_DIR_NAME = 'beat-net';
export const BeatNetErrorCodes = { missing: 'BEAT_NET_MISSING', incompatible: 'BEAT_NET_INCOMPATIBLE' } as const;

const Meta = z.object({
  name: z.literal('beat-net'),
  version: z.number().int(),
  file: z.string(),
  input: z.object({ name: z.string(), shape: z.tuple([z.literal(1), z.literal('frames'), z.number().int()]) }),
  output: z.object({ name: z.string(), channels: z.tuple([z.literal('beat'), z.literal('downbeat')]) }),
  fps: z.number(),
  contextFrames: z.number().int().nonnegative(),
  features: z.object({ sampleRate: z.number(), fftSize: z.number(), hopSamples: z.number(), melBands: z.number(), floorDb: z.number(), offsetDb: z.number(), scaleDb: z.number(), version: z.number() }),
});
export type BeatNetMeta = z.infer<typeof Meta>;

export interface BeatNetModel {
  onnxPath: string;
  meta: BeatNetMeta;
}

export const defaultBeatNetDir = (): string => path.join(resourceDirs(APP_ROOT).bundledPacksDir, BEAT_NET_DIR_NAME);

/** Reads and checks the meta file; the features the model was trained on must be the ones this build computes. */
export function loadBeatNetModel(dir: string = defaultBeatNetDir()): BeatNetModel {
  const metaPath = path.join(dir, 'beat_net.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
  } catch (e) {
    throw new StudioError(BeatNetErrorCodes.missing, `The beat network is missing or unreadable (${metaPath}): ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = Meta.safeParse(raw);
  if (!parsed.success) throw new StudioError(BeatNetErrorCodes.incompatible, `${metaPath} is not a beat network description: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const meta = parsed.data;
  const f = BEAT_NET_FEATURES;
  const mismatch = (['sampleRate', 'fftSize', 'hopSamples', 'melBands', 'floorDb', 'offsetDb', 'scaleDb', 'version'] as const).find((k) => meta.features[k] !== f[k]);
  if (mismatch) throw new StudioError(BeatNetErrorCodes.incompatible, `The beat network was trained on features with ${mismatch} = ${meta.features[mismatch]}, this build computes ${f[mismatch]}.`);
  const onnxPath = path.join(dir, meta.file);
  if (!fs.existsSync(onnxPath)) throw new StudioError(BeatNetErrorCodes.missing, `The beat network graph is missing: ${onnxPath}`);
  return { onnxPath, meta };
}

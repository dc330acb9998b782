/**
 * A take on disk, inside the project: `takes/<takeId>/` holding `frames/000001.png..`, `latents.f32` (the K
 * generated latent frames, little-endian float32, used by extend), `last.rgb` (the last frame as RGB8, for
 * seam QA of the next segment), `take.mp4` (preview with its music) and `take.json` (settings + QA).
 * A take is written into a hidden partial folder and renamed when complete, so a cancelled or crashed run never
 * leaves a half take behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../shared/result';
import { SeamQa } from '../../shared/contract/generate';
import { InferenceErrorCodes as E } from './pack-errors';

export const TAKES_DIR = 'takes';
export const TAKE_JSON = 'take.json';
export const LATENTS_FILE = 'latents.f32';
export const LAST_FRAME_FILE = 'last.rgb';
export const FRAMES_DIR = 'frames';
export const PREVIEW_VIDEO = 'take.mp4';

export const TakeManifest = z.object({
  version: z.literal(1),
  takeId: z.string().max(64),
  segmentId: z.string().max(64),
  packId: z.string().max(128),
  prompt: z.string().max(1000),
  seed: z.number().int(),
  steps: z.number().int(),
  guidance: z.number(),
  startFrame: z.number().int(),
  frames: z.number().int(),
  fps: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  latentShape: z.array(z.number().int()).max(8),
  previousTakePath: z.string().max(512).nullable(),
  qa: SeamQa.nullable(),
  createdAt: z.string().max(40),
});
export type TakeManifest = z.infer<typeof TakeManifest>;

const isInside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** A project folder from the renderer/CLI: it must exist and hold a project.json. */
export async function resolveProject(projectDir: string): Promise<string> {
  let real: string;
  try {
    real = await fs.promises.realpath(path.resolve(projectDir));
    await fs.promises.access(path.join(real, 'project.json'));
  } catch {
    throw new StudioError(E.input, `${projectDir} is not a project folder (no project.json).`);
  }
  return real;
}

/** A project-relative path that must exist inside the project (symlinks resolved). */
export async function resolveInProject(projectRoot: string, rel: string, what: string): Promise<string> {
  const candidate = path.resolve(projectRoot, rel);
  if (!isInside(projectRoot, candidate)) throw new StudioError(E.input, `${what} ${rel} is outside the project.`);
  let real: string;
  try {
    real = await fs.promises.realpath(candidate);
  } catch {
    throw new StudioError(E.input, `${what} ${rel} does not exist in the project.`);
  }
  if (!isInside(projectRoot, real)) throw new StudioError(E.input, `${what} ${rel} links outside the project.`);
  return real;
}

export async function readTake(projectRoot: string, takeRel: string): Promise<{ dir: string; manifest: TakeManifest }> {
  const dir = await resolveInProject(projectRoot, takeRel, 'Take');
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.promises.readFile(path.join(dir, TAKE_JSON), 'utf8'));
  } catch {
    throw new StudioError(E.input, `Take ${takeRel} is incomplete or damaged (no readable take.json).`);
  }
  const parsed = TakeManifest.safeParse(raw);
  if (!parsed.success) throw new StudioError(E.input, `Take ${takeRel} has an invalid take.json.`);
  return { dir, manifest: parsed.data };
}

export async function readFloat32(file: string, expectedLength: number, what: string): Promise<Float32Array> {
  const bytes = await fs.promises.readFile(file).catch(() => null);
  if (!bytes || bytes.length !== expectedLength * 4) throw new StudioError(E.input, `${what} is missing or has the wrong size.`);
  const out = new Float32Array(expectedLength);
  Buffer.from(out.buffer).set(bytes);
  return out;
}

export const newTakeId = (): string => `take-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;

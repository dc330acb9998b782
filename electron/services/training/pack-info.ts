/**
 * What training needs from a model pack (PACK.md): its geometry (dataset preparation), its PyTorch
 * architecture config and its fp16 weights (the starting point of fine-tuning). Only the fields training uses
 * are read here; full validation belongs to the inference engine's loader.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes, type ModelGeometry } from '../../shared/domain/training';

const ManifestForTraining = z.object({
  schemaVersion: z.literal(1),
  name: z.string().max(200),
  config: z.object({
    name: z.string().optional(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    fps: z.number().positive(),
    framesPerSegment: z.number().int().positive(),
    motionFrames: z.number().int().nonnegative(),
    arch: z.record(z.string(), z.unknown()),
  }),
  weights: z.object({ file: z.string().max(255), sha256: z.string().optional() }).nullable().optional(),
});

export interface PackInfo {
  dir: string;
  name: string;
  geometry: ModelGeometry;
  arch: Record<string, unknown>;
  /** Absolute path of weights.fp16.pt, or null when the pack carries no PyTorch weights. */
  weightsPath: string | null;
  weightsBytes: number | null;
}

export async function readPackInfo(dir: string): Promise<PackInfo> {
  const abs = path.resolve(dir);
  const manifestPath = path.join(abs, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no manifest.json' : `has an unreadable manifest.json (${(error as Error).message.slice(0, 120)})`;
    throw new StudioError(TrainingErrorCodes.packInvalid, `${abs} ${why}; it is not a model pack.`);
  }
  const parsed = ManifestForTraining.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StudioError(TrainingErrorCodes.packInvalid, `${abs}/manifest.json: ${issue.path.join('.') || 'manifest'}: ${issue.message}.`);
  }
  const m = parsed.data;
  let weightsPath: string | null = null;
  let weightsBytes: number | null = null;
  if (m.weights?.file) {
    const candidate = path.resolve(abs, m.weights.file);
    if (path.relative(abs, candidate).startsWith('..')) throw new StudioError(TrainingErrorCodes.packInvalid, `${abs}/manifest.json: weights.file leaves the pack folder.`);
    const stat = await fs.stat(candidate).catch(() => null);
    if (stat?.isFile()) {
      weightsPath = candidate;
      weightsBytes = stat.size;
    }
  }
  const c = m.config;
  return {
    dir: abs,
    name: m.name,
    geometry: { fps: Math.round(c.fps), width: c.width, height: c.height, framesPerSegment: c.framesPerSegment, motionFrames: c.motionFrames },
    arch: c.arch,
    weightsPath,
    weightsBytes,
  };
}

/** Pack folders under the studio's pack list locations (user packs first, then bundled ones). */
export async function listPackDirs(roots: { dir: string; source: 'user' | 'bundled' }[]): Promise<{ dir: string; source: 'user' | 'bundled' }[]> {
  const found: { dir: string; source: 'user' | 'bundled' }[] = [];
  for (const root of roots) {
    const names = await fs.readdir(root.dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      const dir = path.join(root.dir, name);
      if (await fs.stat(path.join(dir, 'manifest.json')).then((s) => s.isFile(), () => false)) found.push({ dir, source: root.source });
    }
  }
  return found;
}

/**
 * Where packs live: bundled ones under `config.bundledPacksDir/<id>` (assets/models in a checkout), the user's under `<dataDir>/packs/<id>`,
 * and extra folders: `config.extraPackDirs` (the CLI's `--pack <dir>`), then `MUSEDANCE_PACK_DIRS` (path-delimited; for
 * tests, CI and users with packs elsewhere).
 * The pack id is the folder name; the first one found wins (bundled, then user, then extra).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { PackId, type PackSummary } from '../../shared/domain/model-pack';
import type { StudioConfig } from '../config';
import { MANIFEST_FILE } from './manifest';
import { validatePack } from './pack-validator';
import { InferenceErrorCodes as E } from './pack-errors';

export const BUNDLED_PACK_ID = 'musedance-tiny';

interface Location {
  id: string;
  dir: string;
  source: PackSummary['source'];
}

function candidates(config: StudioConfig, env: NodeJS.ProcessEnv = process.env): Location[] {
  const out: Location[] = [];
  const scan = (root: string, source: PackSummary['source']) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || !PackId.safeParse(e.name).success) continue;
      if (fs.existsSync(path.join(root, e.name, MANIFEST_FILE))) out.push({ id: e.name, dir: path.join(root, e.name), source });
    }
  };
  scan(config.bundledPacksDir, 'bundled');
  scan(path.join(config.dataDir, 'packs'), 'user');
  for (const dir of [...(config.extraPackDirs ?? []), ...(env.MUSEDANCE_PACK_DIRS ?? '').split(path.delimiter).filter(Boolean)]) {
    const id = path.basename(path.resolve(dir));
    if (PackId.safeParse(id).success && fs.existsSync(path.join(dir, MANIFEST_FILE))) out.push({ id, dir: path.resolve(dir), source: 'path' });
  }
  const seen = new Set<string>();
  return out.filter((l) => (seen.has(l.id) ? false : (seen.add(l.id), true)));
}

export async function listPacks(config: StudioConfig, options: { validate: boolean; signal?: AbortSignal }): Promise<PackSummary[]> {
  const out: PackSummary[] = [];
  for (const loc of candidates(config)) {
    const { report, pack } = await validatePack(loc.dir, { skipHashes: !options.validate, signal: options.signal });
    const m = pack?.manifest;
    out.push({
      id: loc.id,
      name: report.name ?? loc.id,
      dir: loc.dir,
      source: loc.source,
      problem: report.error,
      height: m?.config.height ?? null,
      width: m?.config.width ?? null,
      fps: m?.config.fps ?? null,
      framesPerSegment: m?.config.framesPerSegment ?? null,
      motionFrames: m?.config.motionFrames ?? null,
      precision: m?.precision ?? null,
      totalBytes: pack?.totalBytes ?? null,
      defaultSteps: m?.scheduler.defaultNumSteps ?? null,
      defaultGuidance: m?.scheduler.defaultGuidanceScale ?? null,
    });
  }
  return out;
}

export function resolvePackDir(config: StudioConfig, id: string): string {
  const found = candidates(config).find((l) => l.id === id);
  if (!found) throw new StudioError(E.packNotFound, `No model pack named "${id}" (bundled packs are in ${config.bundledPacksDir}, yours in ${path.join(config.dataDir, 'packs')}).`);
  return found.dir;
}

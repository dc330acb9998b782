/**
 * Where the studio finds its tools and keeps its data. Every path can be overridden by the user through
 * environment variables (documented in README) so a packaged app, CI and a developer checkout all work.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StudioConfig {
  /** Python interpreter that has torch, for training (Debian's, not the first python3 on PATH). */
  pythonPath: string;
  ffmpegPath: string;
  ffprobePath: string;
  /** Per-user data: caches, recent projects, installed packs. */
  dataDir: string;
  /** Repository (or app resources) root: bundled packs live under `assets/models`. */
  appRoot: string;
  version: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** electron/services -> repository root (or the unpacked app root when packaged). */
export const APP_ROOT = process.env.MUSEDANCE_APP_ROOT ?? path.resolve(here, '..', '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StudioConfig {
  return {
    pythonPath: env.MUSEDANCE_PYTHON || '/usr/bin/python3',
    ffmpegPath: env.MUSEDANCE_FFMPEG || 'ffmpeg',
    ffprobePath: env.MUSEDANCE_FFPROBE || 'ffprobe',
    dataDir: env.MUSEDANCE_DATA_DIR || path.join(os.homedir(), '.musedance'),
    appRoot: APP_ROOT,
    version: env.npm_package_version || '0.1.0',
  };
}

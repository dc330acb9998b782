/**
 * Where the studio finds its tools and keeps its data. Every path can be overridden by the user through
 * environment variables (documented in README) so a packaged app, CI and a developer checkout all work.
 */
import fs from 'node:fs';
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
  /** Repository (or app) root: holds `dist/renderer`. */
  appRoot: string;
  /** Bundled model packs: `<appRoot>/assets/models`, or `<resources>/models` in a packaged app. */
  bundledPacksDir: string;
  /** The Python training package (`musedance_models`): `<appRoot>/native-models`, or `<resources>/native-models`. */
  nativeModelsDir: string;
  version: string;
  /**
   * Pack folders the caller names for this studio (the CLI's `generate --pack <dir>`), searched before
   * `MUSEDANCE_PACK_DIRS`. A parameter, so no caller has to edit the environment.
   */
  extraPackDirs?: readonly string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** electron/services -> repository root (or the unpacked app root when packaged). */
export const APP_ROOT = process.env.MUSEDANCE_APP_ROOT ?? path.resolve(here, '..', '..');

/**
 * electron-builder copies `assets/models` and `native-models` next to the asar archive (extraResources), so a
 * packaged app finds them under Electron's `process.resourcesPath`, not under the app root. A development run of
 * the Electron binary also has a resourcesPath (Electron's own), without our folders: the checkout is used then.
 */
export function resourceDirs(appRoot: string, resourcesPath: string | null = (process as { resourcesPath?: string }).resourcesPath ?? null): Pick<StudioConfig, 'bundledPacksDir' | 'nativeModelsDir'> {
  if (resourcesPath && fs.existsSync(path.join(resourcesPath, 'models'))) {
    return { bundledPacksDir: path.join(resourcesPath, 'models'), nativeModelsDir: path.join(resourcesPath, 'native-models') };
  }
  return { bundledPacksDir: path.join(appRoot, 'assets', 'models'), nativeModelsDir: path.join(appRoot, 'native-models') };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): StudioConfig {
  return {
    ...resourceDirs(APP_ROOT),
    pythonPath: env.MUSEDANCE_PYTHON || '/usr/bin/python3',
    ffmpegPath: env.MUSEDANCE_FFMPEG || 'ffmpeg',
    ffprobePath: env.MUSEDANCE_FFPROBE || 'ffprobe',
    dataDir: env.MUSEDANCE_DATA_DIR || path.join(os.homedir(), '.musedance'),
    appRoot: APP_ROOT,
    version: env.npm_package_version || '0.1.0',
  };
}

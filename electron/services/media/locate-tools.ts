/**
 * Which ffmpeg/ffprobe binaries the media service runs. The system's (on PATH, or set by MUSEDANCE_FFMPEG /
 * MUSEDANCE_FFPROBE) always wins; only when the default name is absent does it fall back to a binary shipped
 * with the app: `<resources>/ffmpeg/<name>` (electron-builder extraResources) or the npm packages
 * `@ffmpeg-installer/ffmpeg` / `@ffprobe-installer/ffprobe` when installed. Never a download.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { programExists } from './ffmpeg-job';
import type { MediaTools } from './tools';

export type ToolSource = 'env' | 'system' | 'bundled' | 'npm-package' | 'missing';

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** Electron's `process.resourcesPath` in a packaged app; null in development, the CLI and tests. */
  resourcesPath?: string | null;
}

const TOOLS = {
  ffmpeg: { envVar: 'MUSEDANCE_FFMPEG', npmPackage: '@ffmpeg-installer/ffmpeg' },
  ffprobe: { envVar: 'MUSEDANCE_FFPROBE', npmPackage: '@ffprobe-installer/ffprobe' },
} as const;

export function locateTool(name: keyof typeof TOOLS, configured: string, options: LocateOptions = {}): { path: string; source: ToolSource } {
  const env = options.env ?? process.env;
  const { envVar, npmPackage } = TOOLS[name];
  if (env[envVar]) return { path: configured, source: 'env' };
  if (programExists(configured)) return { path: configured, source: 'system' };
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  const resources = options.resourcesPath === undefined ? ((process as { resourcesPath?: string }).resourcesPath ?? null) : options.resourcesPath;
  if (resources) {
    const bundled = path.join(resources, 'ffmpeg', exe);
    if (programExists(bundled)) return { path: bundled, source: 'bundled' };
  }
  try {
    const fromPackage = (createRequire(import.meta.url)(npmPackage) as { path?: string }).path;
    if (fromPackage && fs.existsSync(fromPackage) && programExists(fromPackage)) return { path: fromPackage, source: 'npm-package' };
  } catch {
    // package not installed: fine, the system tool is the normal case
  }
  return { path: configured, source: 'missing' };
}

export function resolveMediaTools(config: MediaTools, options: LocateOptions = {}): MediaTools {
  return { ffmpegPath: locateTool('ffmpeg', config.ffmpegPath, options).path, ffprobePath: locateTool('ffprobe', config.ffprobePath, options).path };
}

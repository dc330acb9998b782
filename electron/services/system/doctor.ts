/** `doctor`: everything the studio depends on, checked for real, with a reason for each failure. */
import fs from 'node:fs/promises';
import os from 'node:os';
import type { DoctorReport } from '../../shared/domain/doctor';
import type { StudioConfig } from '../config';
import { probeProviders } from '../onnx/providers';
import { execText, whichProgram } from '../util/exec';

const TOOL_TIMEOUT_MS = 10_000;
/** Importing torch takes a few seconds on a cold cache. */
const PYTHON_TIMEOUT_MS = 60_000;

async function probeTool(name: string) {
  const resolved = await whichProgram(name);
  if (!resolved) return { found: false, path: null, version: null, error: `${name} not found on PATH; install it (Debian: apt install ffmpeg) or set its path` };
  try {
    const { stdout } = await execText(resolved, ['-hide_banner', '-version'], { timeoutMs: TOOL_TIMEOUT_MS });
    const version = /version\s+(\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0]!.trim();
    return { found: true, path: resolved, version, error: null };
  } catch (error) {
    return { found: false, path: resolved, version: null, error: (error as Error).message };
  }
}

async function probePython(pythonPath: string): Promise<DoctorReport['python']> {
  const script = 'import sys, json\ntry:\n import torch; t = torch.__version__\nexcept Exception as e:\n t = None\nprint(json.dumps({"version": sys.version.split()[0], "torch": t}))';
  try {
    const { stdout } = await execText(pythonPath, ['-c', script], { timeoutMs: PYTHON_TIMEOUT_MS });
    const info = JSON.parse(stdout.trim().split('\n').pop()!) as { version: string; torch: string | null };
    return {
      path: pythonPath,
      found: true,
      version: info.version,
      torch: info.torch,
      error: info.torch ? null : `torch is not importable by ${pythonPath}; install python3-torch or set MUSEDANCE_PYTHON`,
    };
  } catch (error) {
    return { path: pythonPath, found: false, version: null, torch: null, error: `${(error as Error).message}; set MUSEDANCE_PYTHON to a Python with torch` };
  }
}

export async function runDoctor(config: StudioConfig): Promise<DoctorReport> {
  const [ffmpeg, ffprobe, ort, python, disk] = await Promise.all([
    probeTool(config.ffmpegPath),
    probeTool(config.ffprobePath),
    probeProviders(),
    probePython(config.pythonPath),
    fs.statfs(os.homedir()).catch(() => null),
  ]);
  return {
    ffmpeg,
    ffprobe,
    onnxruntime: { version: ort.version, providers: ort.providers, details: ort.details, selected: ort.selected, selectedReason: ort.selectedReason },
    python,
    disk: { path: os.homedir(), freeBytes: disk ? disk.bavail * disk.bsize : 0, totalBytes: disk ? disk.blocks * disk.bsize : 0 },
    memory: { totalBytes: os.totalmem(), freeBytes: os.freemem() },
    platform: { os: `${os.type()} ${os.release()}`, arch: os.arch(), node: process.version, cpus: os.cpus().length },
  };
}

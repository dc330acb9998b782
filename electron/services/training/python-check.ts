/**
 * Checks the configured Python before a worker is started: it runs, torch imports, and torch is recent
 * enough for native-models (1.13+). A wrong interpreter (the first `python3` on PATH is often not the one with
 * torch) fails here with a message that says which one and how to change it.
 */
import { execFile } from 'node:child_process';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes } from '../../shared/domain/training';

/** Importing torch cold can take several seconds on a busy machine. */
export const PYTHON_CHECK_TIMEOUT_MS = 60_000;
export const MIN_TORCH_VERSION: [number, number] = [1, 13];

export interface PythonInfo {
  pythonPath: string;
  pythonVersion: string;
  torchVersion: string;
  cudaAvailable: boolean;
}

const PROBE = [
  'import json, platform',
  'try:',
  '    import torch',
  'except Exception as exc:',
  '    print(json.dumps({"python": platform.python_version(), "torchError": f"{type(exc).__name__}: {exc}"}))',
  'else:',
  '    print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "cuda": bool(torch.cuda.is_available())}))',
].join('\n');

export function checkPython(pythonPath: string, signal?: AbortSignal): Promise<PythonInfo> {
  const hint = 'set MUSEDANCE_PYTHON to an interpreter with torch (default /usr/bin/python3)';
  return new Promise((resolve, reject) => {
    execFile(pythonPath, ['-c', PROBE], { timeout: PYTHON_CHECK_TIMEOUT_MS, signal, windowsHide: true, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (e?.code === 'ENOENT') return reject(new StudioError(TrainingErrorCodes.pythonMissing, `Python was not found at ${pythonPath}; ${hint}.`));
      if (e?.name === 'AbortError') return reject(e);
      if (e?.killed) return reject(new StudioError(TrainingErrorCodes.pythonMissing, `${pythonPath} did not answer within ${PYTHON_CHECK_TIMEOUT_MS / 1000} s.`));
      const last = String(stdout).trim().split('\n').pop() ?? '';
      let info: { python?: string; torch?: string; torchError?: string; cuda?: boolean };
      try {
        info = JSON.parse(last);
      } catch {
        const why = String(stderr).trim().split('\n').pop() ?? e?.message ?? 'no output';
        return reject(new StudioError(TrainingErrorCodes.pythonMissing, `${pythonPath} is not a working Python (${why.slice(0, 200)}); ${hint}.`));
      }
      if (!info.torch) {
        return reject(new StudioError(TrainingErrorCodes.torchMissing, `${pythonPath} (Python ${info.python}) cannot import torch (${(info.torchError ?? '').slice(0, 200)}); ${hint}.`));
      }
      const [major, minor] = info.torch.split(/[.+a-z]/).map(Number);
      if (!(major! > MIN_TORCH_VERSION[0] || (major === MIN_TORCH_VERSION[0] && minor! >= MIN_TORCH_VERSION[1]))) {
        return reject(new StudioError(TrainingErrorCodes.torchMissing, `${pythonPath} has torch ${info.torch}; training needs torch ${MIN_TORCH_VERSION.join('.')} or newer.`));
      }
      resolve({ pythonPath, pythonVersion: info.python ?? '?', torchVersion: info.torch, cudaAvailable: !!info.cuda });
    });
  });
}

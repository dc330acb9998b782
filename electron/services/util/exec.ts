import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a program to completion with a hard timeout; rejects with a readable message, never hangs. */
export function execText(file: string, args: string[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: options.timeoutMs, signal: options.signal, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const e = error as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') reject(new Error(`${file} not found`));
        else if (e.killed) reject(new Error(`${file} did not answer within ${options.timeoutMs} ms`));
        else reject(new Error(`${file} failed: ${String(stderr || e.message).trim().split('\n').slice(-1)[0]}`));
        return;
      }
      resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Resolves a bare program name against PATH (null when absent). */
export async function whichProgram(name: string): Promise<string | null> {
  if (name.includes('/')) return name;
  try {
    const { stdout } = await execText('/bin/sh', ['-c', 'command -v "$1"', 'sh', name], { timeoutMs: 5_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

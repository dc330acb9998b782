/** The CLI as a user runs it: `npm run -s musedance -- <command>` (real process, real services). */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function musedance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', 'musedance', '--', ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('musedance CLI', () => {
  it('doctor --json prints exactly one JSON object with the fields other tools read', async () => {
    const r = await musedance(['doctor', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report.ffmpeg.version).toMatch(/\d/);
    expect(report.onnxruntime.version).toMatch(/^\d+\.\d+/);
    expect(report.onnxruntime.providers).toContain('cpu');
    expect(report.python).toHaveProperty('torch');
  });

  it('fails with one line, a non-zero exit and a JSON error object, never a stack trace', async () => {
    const r = await musedance(['project', 'validate', path.join(os.tmpdir(), 'no-such-project-xyz'), '--json']);
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const unknown = await musedance(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown command');
  });

  it('project new then validate round-trips, also for a folder whose name starts with "-"', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const dir = path.join(tmp, '-dash-project');
    const created = await musedance(['project', 'new', dir, '--json']);
    expect(created.code).toBe(0);
    const validated = await musedance(['project', 'validate', dir, '--json']);
    expect(JSON.parse(validated.stdout)).toMatchObject({ valid: true });
  });
});

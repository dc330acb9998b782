/** The worker owner with the real interpreter: Python/torch checks, start and stop that settle, protocol errors. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../electron/services/config';
import { checkPython } from '../../../electron/services/training/python-check';
import { TrainingWorker } from '../../../electron/services/training/training-worker';

const config = loadConfig();
const modelsDir = config.nativeModelsDir;

describe('training worker process', () => {
  it('checks the configured Python: missing interpreter, interpreter without torch, the real one', async () => {
    await expect(checkPython('/no/such/python3')).rejects.toMatchObject({ code: 'TRAINING_PYTHON_MISSING' });
    // /bin/sh is a program but not Python: a clear message, not a crash.
    await expect(checkPython('/bin/sh')).rejects.toMatchObject({ code: 'TRAINING_PYTHON_MISSING' });
    // The real interpreter without its site-packages (-S): Python runs, torch does not import.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-py-'));
    const bare = path.join(dir, 'python-without-torch');
    fs.writeFileSync(bare, `#!/bin/sh\nexec ${config.pythonPath} -S -I "$@"\n`, { mode: 0o755 });
    await expect(checkPython(bare)).rejects.toMatchObject({ code: 'TRAINING_TORCH_MISSING', message: expect.stringMatching(/cannot import torch.*MUSEDANCE_PYTHON/) });
    fs.rmSync(dir, { recursive: true, force: true });
    const info = await checkPython(config.pythonPath);
    expect(info.torchVersion).toMatch(/^\d+\.\d+/);
    expect(info.pythonVersion).toMatch(/^3\./);
  });

  it('starts (hello), answers a bad command with an error value, and stops within its grace period', async () => {
    const worker = new TrainingWorker({ pythonPath: config.pythonPath, modelsDir, heartbeatSec: 0.5 });
    const hello = await worker.start();
    expect(hello).toMatchObject({ protocol: 1, pid: worker.pid });
    const heartbeats: string[] = [];
    worker.onEvent((e) => e.type === 'heartbeat' && heartbeats.push(e.state));
    await expect(worker.send({ cmd: 'pause' })).rejects.toMatchObject({ code: 'TRAINING_WORKER_REJECTED', message: expect.stringMatching(/NOT_RUNNING/) });
    await expect(worker.send({ cmd: 'resume', runDir: '/no/such/run' })).rejects.toMatchObject({ message: expect.stringMatching(/BAD_REQUEST/) });
    await new Promise((r) => setTimeout(r, 1200));
    expect(heartbeats).toContain('idle');
    const exited = new Promise((r) => worker.onExit(r));
    const t0 = Date.now();
    await worker.stop();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await exited).toMatchObject({ requested: true, code: 0 });
    expect(worker.running).toBe(false);
    await worker.stop(); // a second stop settles too
  });

  it('reports a worker that cannot start as an error value, and start after start is refused', async () => {
    const worker = new TrainingWorker({ pythonPath: '/no/such/python3', modelsDir });
    await expect(worker.start()).rejects.toMatchObject({ code: 'TRAINING_PYTHON_MISSING' });
    await expect(worker.start()).rejects.toThrow(/twice/);
    await worker.stop();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointLedger, LEDGER_FILE, sha256File } from '../../../electron/services/training/checkpoint-ledger';

let dir: string;
const workerFile = () => path.join(dir, 'checkpoint.pt');
/** Writes the worker's checkpoint the way train.py does: temp file + rename (a new inode each time). */
const workerSaves = (content: string) => {
  fs.writeFileSync(workerFile() + '.tmp', content);
  fs.renameSync(workerFile() + '.tmp', workerFile());
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-ledger-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('checkpoint ledger', () => {
  it('keeps each announced version although the worker replaces its one checkpoint file', async () => {
    const ledger = new CheckpointLedger(dir, 5);
    workerSaves('step 2');
    const a = ledger.snapshot(workerFile(), { step: 2, stageIndex: 0, reason: 'interval' });
    workerSaves('step 4'); // the worker moves on before the hash is taken
    const b = ledger.snapshot(workerFile(), { step: 4, stageIndex: 0, reason: 'interval' });
    const [ea, eb] = await Promise.all([a, b]);
    expect(fs.readFileSync(path.join(dir, ea.path), 'utf8')).toBe('step 2');
    expect(fs.readFileSync(path.join(dir, eb.path), 'utf8')).toBe('step 4');
    expect(eb.sha256).toBe(await sha256File(workerFile()));
    const lines = fs.readFileSync(path.join(dir, LEDGER_FILE), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
  });

  it('skips a checkpoint whose bytes no longer match its hash and restores the previous one', async () => {
    const ledger = new CheckpointLedger(dir, 5);
    workerSaves('step 2');
    await ledger.snapshot(workerFile(), { step: 2, stageIndex: 0, reason: 'interval' });
    workerSaves('step 4');
    const newest = await ledger.snapshot(workerFile(), { step: 4, stageIndex: 0, reason: 'interval' });
    fs.writeFileSync(workerFile(), 'step 4 but damaged'); // in place: the snapshot is the same inode
    expect(fs.readFileSync(path.join(dir, newest.path), 'utf8')).toBe('step 4 but damaged');

    const reports: string[] = [];
    const fresh = new CheckpointLedger(dir, 5); // as after a restart: read from disk
    const good = await fresh.newestGood(0, (m) => reports.push(m));
    expect(good).toMatchObject({ step: 2, final: false });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/s1_step_00000004\.pt is corrupt/);
    expect(fs.existsSync(path.join(dir, newest.path + '.rejected'))).toBe(true);

    expect(await fresh.restore(good!, workerFile())).toBe(true);
    expect(fs.readFileSync(workerFile(), 'utf8')).toBe('step 2');
    expect(await fresh.restore(good!, workerFile())).toBe(false); // already in place
  });

  it('prunes old snapshots per stage but keeps final ones, and ignores a torn last ledger line', async () => {
    const ledger = new CheckpointLedger(dir, 2);
    for (const step of [1, 2, 3, 4]) {
      workerSaves(`step ${step}`);
      await ledger.snapshot(workerFile(), { step, stageIndex: 0, reason: step === 4 ? 'final' : 'interval' });
    }
    const kept = fs.readdirSync(path.join(dir, 'checkpoints')).sort();
    expect(kept).toEqual(['s1_step_00000002.pt', 's1_step_00000003.pt', 's1_step_00000004.pt']);
    fs.appendFileSync(path.join(dir, LEDGER_FILE), '{"path":"checkpoints/s1_step_0000');
    const good = await new CheckpointLedger(dir, 2).newestGood(0, () => {});
    expect(good).toMatchObject({ step: 4, final: true });
    expect(await new CheckpointLedger(dir, 2).newestGood(1, () => {})).toBeNull();
  });
  it('records checkpoints in the order they were announced, even when the earlier one takes longer to hash', async () => {
    const ledger = new CheckpointLedger(dir, 5);
    workerSaves('x'.repeat(64 * 1024 * 1024)); // an interval checkpoint large enough to hash slowly
    const interval = ledger.snapshot(workerFile(), { step: 9, stageIndex: 0, reason: 'interval' });
    workerSaves('step 10, paused');
    const pause = ledger.snapshot(workerFile(), { step: 10, stageIndex: 0, reason: 'pause' });
    await Promise.all([interval, pause]);
    const reasons = fs.readFileSync(path.join(dir, LEDGER_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l).reason);
    expect(reasons).toEqual(['interval', 'pause']);
  });

  it('resumes from the highest step even when an old ledger lists steps out of order', async () => {
    const ledger = new CheckpointLedger(dir, 5);
    workerSaves('step 6');
    const six = await ledger.snapshot(workerFile(), { step: 6, stageIndex: 0, reason: 'interval' });
    workerSaves('step 7');
    const seven = await ledger.snapshot(workerFile(), { step: 7, stageIndex: 0, reason: 'pause' });
    const file = path.join(dir, LEDGER_FILE);
    fs.writeFileSync(file, [seven, six].map((e) => JSON.stringify(e)).join('\n') + '\n'); // 7 appended before 6
    fs.writeFileSync(path.join(dir, seven.path), 'step 7 but damaged');

    const reports: string[] = [];
    const good = await new CheckpointLedger(dir, 5).newestGood(0, (m) => reports.push(m));
    expect(good).toMatchObject({ step: 6 });
    expect(reports.join('\n')).toMatch(/s1_step_00000007\.pt is corrupt/); // checked, not skipped unseen
  });
});

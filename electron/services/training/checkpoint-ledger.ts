/**
 * The supervisor's own history of checkpoints. The worker keeps ONE checkpoint per run folder
 * (`checkpoint.pt`, replaced atomically by rename), so a damaged file would leave nothing to fall back on.
 * When the worker announces a checkpoint, the supervisor hard-links that version into
 * `<runDir>/checkpoints/s<stage>_step_<n>.pt` (a link survives the worker's next rename; a copy is made where
 * links are impossible), hashes it and appends `{path, sha256, step, stage, reason}` to
 * `<runDir>/checkpoint-hashes.jsonl`. Resuming trusts only a snapshot whose bytes still hash to the recorded
 * value; a damaged one is set aside (`.rejected`) and the next older one is used.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const LEDGER_FILE = 'checkpoint-hashes.jsonl';
export const SNAPSHOT_DIR = 'checkpoints';
/** The worker's checkpoint inside a stage's run folder (PROTOCOL.md / train.py). */
export const WORKER_CHECKPOINT_FILE = 'checkpoint.pt';

export interface LedgerEntry {
  /** Snapshot, relative to the run folder. */
  path: string;
  sha256: string;
  bytes: number;
  step: number;
  stageIndex: number;
  reason: string;
  at: string;
}

export interface Verified {
  path: string;
  step: number;
  final: boolean;
  sha256: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const snapshotName = (stageIndex: number, step: number) => `s${stageIndex + 1}_step_${String(step).padStart(8, '0')}.pt`;

export class CheckpointLedger {
  private entries: LedgerEntry[] | null = null;
  /**
   * Records run one after another, in the order the worker announced them. Run side by side, a later (pause)
   * checkpoint could be hashed and appended before an earlier (interval) one: the ledger then listed an older
   * step as the newest, and a file damaged in between could be hashed as if it were good (seen on a loaded CI
   * machine: the recovery skipped the newest snapshot without checking it).
   */
  private recording: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runDir: string,
    /** Snapshots kept per stage (a stage's final snapshot is always kept). */
    private readonly keep = 3,
  ) {}

  private get file(): string {
    return path.join(this.runDir, LEDGER_FILE);
  }

  async load(): Promise<LedgerEntry[]> {
    if (this.entries) return this.entries;
    const text = await fsp.readFile(this.file, 'utf8').catch(() => '');
    const entries: LedgerEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as LedgerEntry;
        if (typeof e.path === 'string' && /^[0-9a-f]{64}$/.test(e.sha256) && Number.isInteger(e.step)) entries.push(e);
      } catch {
        // A torn last line (killed while appending): that snapshot counts as unverified.
      }
    }
    this.entries = entries;
    return entries;
  }

  /**
   * Freezes the version of `workerFile` the worker just announced. The link is made synchronously, before
   * the worker can replace the file again; hashing and recording follow asynchronously.
   */
  snapshot(workerFile: string, info: { step: number; stageIndex: number; reason: string }): Promise<LedgerEntry> {
    const dir = path.join(this.runDir, SNAPSHOT_DIR);
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, snapshotName(info.stageIndex, info.step));
    const temp = `${target}.${process.pid}.tmp`;
    fs.rmSync(temp, { force: true });
    try {
      fs.linkSync(workerFile, temp);
    } catch {
      fs.copyFileSync(workerFile, temp);
    }
    fs.renameSync(temp, target);
    const recorded = this.recording.catch(() => {}).then(() => this.record(target, info));
    this.recording = recorded;
    return recorded;
  }

  private async record(snapshot: string, info: { step: number; stageIndex: number; reason: string }): Promise<LedgerEntry> {
    const entries = await this.load();
    const [sha256, stat] = await Promise.all([sha256File(snapshot), fsp.stat(snapshot)]);
    const entry: LedgerEntry = { path: path.relative(this.runDir, snapshot), sha256, bytes: stat.size, step: info.step, stageIndex: info.stageIndex, reason: info.reason, at: new Date().toISOString() };
    await fsp.appendFile(this.file, JSON.stringify(entry) + '\n');
    entries.push(entry);
    await this.prune(info.stageIndex);
    return entry;
  }

  private async prune(stageIndex: number): Promise<void> {
    const entries = (await this.load()).filter((e) => e.stageIndex === stageIndex && e.reason !== 'final');
    const paths = [...new Set(entries.map((e) => e.path))];
    for (const rel of paths.slice(0, Math.max(0, paths.length - this.keep))) await fsp.rm(path.join(this.runDir, rel), { force: true });
  }

  /** Newest snapshot of a stage whose bytes match the ledger; damaged ones are renamed `.rejected` and reported. */
  async newestGood(stageIndex: number, report: (message: string) => void): Promise<Verified | null> {
    await this.recording.catch(() => {});
    // Highest step first; for the same step, the later entry (a ledger written before records were ordered
    // can list steps out of order).
    const entries = (await this.load())
      .map((e, order) => ({ e, order }))
      .filter(({ e }) => e.stageIndex === stageIndex)
      .sort((a, b) => b.e.step - a.e.step || b.order - a.order)
      .map(({ e }) => e);
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.path)) continue; // a later entry for the same file already decided
      seen.add(e.path);
      const abs = path.join(this.runDir, e.path);
      if (!fs.existsSync(abs)) continue; // pruned
      const actual = await sha256File(abs).catch(() => null);
      if (actual !== e.sha256) {
        report(`Checkpoint ${path.basename(abs)} is corrupt (sha256 ${actual ? actual.slice(0, 12) : 'unreadable'}, recorded ${e.sha256.slice(0, 12)}); skipped.`);
        await fsp.rename(abs, abs + '.rejected').catch(() => {});
        continue;
      }
      return { path: abs, step: e.step, final: e.reason === 'final', sha256: e.sha256 };
    }
    return null;
  }

  /** Puts a verified snapshot back as the worker's checkpoint (copy + rename), unless it already is. */
  async restore(snapshot: Verified, workerFile: string): Promise<boolean> {
    const current = await sha256File(workerFile).catch(() => null);
    if (current === snapshot.sha256) return false;
    const temp = `${workerFile}.restore.tmp`;
    await fsp.copyFile(snapshot.path, temp);
    await fsp.rename(temp, workerFile);
    return true;
  }
}

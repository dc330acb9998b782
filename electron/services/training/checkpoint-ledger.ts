/**
 * The supervisor's record of every checkpoint the worker reported, with its sha256 taken when the
 * `checkpoint` event arrived (`<runDir>/checkpoint-hashes.jsonl`, append-only). When a run resumes after a
 * crash, a checkpoint is trusted only if its bytes still hash to the recorded value: a file that was damaged
 * on disk, or one written but never reported (killed mid-announcement), is skipped and set aside.
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export const LEDGER_FILE = 'checkpoint-hashes.jsonl';
const STEP_CHECKPOINT = /^step_(\d{8})\.pt$/;
const FINAL_CHECKPOINT = 'final.pt';

export interface LedgerEntry {
  /** Relative to the run folder. */
  path: string;
  sha256: string;
  bytes: number;
  step: number;
  stageIndex: number;
  reason: string;
  at: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Verified {
  path: string;
  step: number;
  final: boolean;
}

export class CheckpointLedger {
  private entries: LedgerEntry[] | null = null;

  constructor(private readonly runDir: string) {}

  private get file(): string {
    return path.join(this.runDir, LEDGER_FILE);
  }

  async load(): Promise<LedgerEntry[]> {
    if (this.entries) return this.entries;
    const text = await fs.readFile(this.file, 'utf8').catch(() => '');
    const entries: LedgerEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as LedgerEntry;
        if (typeof e.path === 'string' && /^[0-9a-f]{64}$/.test(e.sha256)) entries.push(e);
      } catch {
        // A torn last line (killed while appending) is ignored; its checkpoint counts as unverified.
      }
    }
    this.entries = entries;
    return entries;
  }

  /** Hashes a checkpoint the worker just announced and records it. */
  async record(absPath: string, info: { step: number; stageIndex: number; reason: string }): Promise<LedgerEntry> {
    const entries = await this.load();
    const [sha256, stat] = await Promise.all([sha256File(absPath), fs.stat(absPath)]);
    const entry: LedgerEntry = { path: path.relative(this.runDir, absPath), sha256, bytes: stat.size, step: info.step, stageIndex: info.stageIndex, reason: info.reason, at: new Date().toISOString() };
    await fs.appendFile(this.file, JSON.stringify(entry) + '\n');
    entries.push(entry);
    return entry;
  }

  /** The last recorded hash of a file (a step file can be rewritten, e.g. by a pause after an interval save). */
  async entryFor(absPath: string): Promise<LedgerEntry | null> {
    const rel = path.relative(this.runDir, absPath);
    const entries = await this.load();
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.path === rel) return entries[i]!;
    return null;
  }

  /**
   * Newest checkpoint in `checkpointsDir` whose bytes match the ledger. Damaged or unrecorded files are
   * renamed to `<name>.rejected` (so the worker's own "newest" logic never picks them) and reported.
   */
  async newestGood(checkpointsDir: string, report: (message: string) => void): Promise<Verified | null> {
    const names = await fs.readdir(checkpointsDir).catch(() => [] as string[]);
    const candidates: Verified[] = [];
    for (const name of names) {
      const m = STEP_CHECKPOINT.exec(name);
      if (m) candidates.push({ path: path.join(checkpointsDir, name), step: Number(m[1]), final: false });
      else if (name === FINAL_CHECKPOINT) candidates.push({ path: path.join(checkpointsDir, name), step: Number.MAX_SAFE_INTEGER, final: true });
    }
    candidates.sort((a, b) => b.step - a.step);
    for (const c of candidates) {
      const entry = await this.entryFor(c.path);
      const name = path.basename(c.path);
      if (!entry) {
        report(`Checkpoint ${name} was never confirmed by the worker; skipped.`);
        await fs.rename(c.path, c.path + '.rejected').catch(() => {});
        continue;
      }
      const actual = await sha256File(c.path).catch(() => null);
      if (actual !== entry.sha256) {
        report(`Checkpoint ${name} is corrupt (sha256 ${actual ? actual.slice(0, 12) : 'unreadable'} != recorded ${entry.sha256.slice(0, 12)}); skipped.`);
        await fs.rename(c.path, c.path + '.rejected').catch(() => {});
        continue;
      }
      return { ...c, step: entry.step };
    }
    return null;
  }
}

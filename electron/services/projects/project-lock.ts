/**
 * One writer per project: `project.lock` names the process that has the project open. A second instance
 * (or a second studio in the same process) finds it and opens read-only. A lock whose process is gone (same
 * host, pid not alive) is stale — the previous session crashed — and is taken over. Locks from another host
 * cannot be checked and are respected.
 */
import crypto from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import { LockInfo } from '../../shared/contract/project';
import { parseJsonSafely } from '../../shared/safe-json';
import { fsyncDir, readTextLimited } from '../util/atomic-file';
import { lockFile } from './project-layout';
import path from 'node:path';

const MAX_LOCK_BYTES = 4096;
/** A lock file that cannot be read is treated as being written right now until it is this old. */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;
const TAKEOVER_ATTEMPTS = 3;

export const newInstanceId = (): string => crypto.randomBytes(9).toString('base64url');

/** Linux boot id: a lock written before the last reboot is stale whatever its pid. Null elsewhere. */
export function currentBootId(): string | null {
  try {
    return fsSync.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 64) || null;
  } catch {
    return null;
  }
}

/** Linux: start time of a process (clock ticks since boot, field 22 of /proc/<pid>/stat); null when unknown. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = fsSync.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  info: LockInfo;
  /** True while the lock file on disk is still ours (another instance may have broken it). */
  stillHeld(): Promise<boolean>;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

export type LockAttempt =
  | { acquired: true; lock: HeldLock; staleHolder: LockInfo | null }
  | { acquired: false; holder: LockInfo | null; reason: string };

type LockRead = { state: 'none' } | { state: 'held'; info: LockInfo } | { state: 'unreadable'; ageMs: number };

async function readLock(root: string): Promise<LockRead> {
  const file = lockFile(root);
  const read = await readTextLimited(file, MAX_LOCK_BYTES);
  if (!read.ok && read.reason === 'missing') return { state: 'none' };
  const parsed = read.ok ? parseJsonSafely(read.text, { maxDepth: 4 }) : null;
  const info = parsed?.ok ? LockInfo.safeParse(parsed.value) : null;
  if (info?.success) return { state: 'held', info: info.data };
  const stat = await fs.stat(file).catch(() => null);
  return { state: 'unreadable', ageMs: stat ? Date.now() - stat.mtimeMs : Number.POSITIVE_INFINITY };
}

/** Reads who holds the lock without touching it (for validate/inspect). */
export async function peekLock(root: string): Promise<{ holder: LockInfo | null; stale: boolean }> {
  const read = await readLock(root);
  if (read.state === 'none') return { holder: null, stale: false };
  if (read.state === 'unreadable') return { holder: null, stale: read.ageMs > UNREADABLE_LOCK_GRACE_MS };
  return { holder: read.info, stale: isStale(read.info) };
}

/** Only locks of this host can be judged; there, a lock is stale when its process is gone (or is another process now). */
export function isStale(info: LockInfo): boolean {
  if (info.host !== os.hostname()) return false;
  const boot = currentBootId();
  if (info.bootId && boot && info.bootId !== boot) return true;
  if (!isProcessAlive(info.pid)) return true;
  const start = info.processStart ? processStartTicks(info.pid) : null;
  return start !== null && start !== info.processStart;
}

export async function acquireProjectLock(root: string, identity: { instanceId: string; appVersion: string }): Promise<LockAttempt> {
  const file = lockFile(root);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), instanceId: identity.instanceId, acquiredAt: new Date().toISOString(), appVersion: identity.appVersion };
  const bootId = currentBootId();
  const processStart = processStartTicks(process.pid);
  if (bootId) info.bootId = bootId;
  if (processStart) info.processStart = processStart;
  let staleHolder: LockInfo | null = null;
  for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(info));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncDir(root);
      return { acquired: true, lock: heldLock(root, info), staleHolder };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = await readLock(root);
    if (existing.state === 'none') continue;
    if (existing.state === 'held' && existing.info.instanceId === identity.instanceId) return { acquired: true, lock: heldLock(root, existing.info), staleHolder: null };
    if (existing.state === 'held' && !isStale(existing.info)) {
      const where = existing.info.host === info.host ? `process ${existing.info.pid}` : `${existing.info.host} (process ${existing.info.pid})`;
      return { acquired: false, holder: existing.info, reason: `This project is open in another MuseDance Studio (${where}, since ${existing.info.acquiredAt}); it was opened read-only.` };
    }
    if (existing.state === 'unreadable' && existing.ageMs <= UNREADABLE_LOCK_GRACE_MS) {
      return { acquired: false, holder: null, reason: 'Another MuseDance Studio is opening this project right now; it was opened read-only.' };
    }
    // Stale: move it aside (only one contender's rename can succeed), check we moved the one we judged, then retry.
    const aside = path.join(root, `.${path.basename(file)}.${newInstanceId()}.stale`);
    try {
      await fs.rename(file, aside);
    } catch {
      continue;
    }
    const moved = await readTextLimited(aside, MAX_LOCK_BYTES);
    const judged = existing.state === 'held' ? existing.info.instanceId : null;
    const movedInfo = moved.ok ? parseJsonSafely(moved.text, { maxDepth: 4 }) : null;
    const movedId = movedInfo?.ok ? LockInfo.safeParse(movedInfo.value).data?.instanceId ?? null : null;
    if (judged !== null && movedId !== judged) {
      // We raced another instance that had just taken the lock over: put theirs back and stay read-only.
      await fs.link(aside, file).catch(() => {});
      await fs.rm(aside, { force: true });
      continue;
    }
    await fs.rm(aside, { force: true });
    if (existing.state === 'held') staleHolder = existing.info;
  }
  const now = await readLock(root);
  return { acquired: false, holder: now.state === 'held' ? now.info : null, reason: 'Could not take over the project lock; it was opened read-only.' };
}

function heldLock(root: string, info: LockInfo): HeldLock {
  const stillHeld = async () => {
    const now = await readLock(root);
    return now.state === 'held' && now.info.instanceId === info.instanceId;
  };
  return {
    info,
    stillHeld,
    async release() {
      if (await stillHeld()) await fs.rm(lockFile(root), { force: true });
    },
  };
}

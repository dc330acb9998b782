/**
 * When to autosave: a short while after the last edit (debounced), and at least every 30 s while edits keep
 * coming (so continuous typing cannot postpone it forever). Saves never overlap; a change during a save
 * triggers one more save afterwards. Pure JS timers, no Node or DOM: the renderer's project store drives it.
 */

/** Quiet time after the last edit before an autosave. */
export const AUTOSAVE_DEBOUNCE_MS = 1_500;
/** Longest time unsaved edits wait, however busy the user is. */
export const AUTOSAVE_INTERVAL_MS = 30_000;

export interface AutosaveOptions {
  /** Revision of the document now (grows on every edit). */
  currentRevision: () => number;
  /** Persists the document at that revision; resolves false or rejects when it could not. */
  save: (revision: number) => Promise<boolean>;
  onError?: (error: unknown) => void;
  debounceMs?: number;
  intervalMs?: number;
}

export class AutosaveScheduler {
  private debounceTimer: ReturnType<typeof setTimeout> | null = null;
  private intervalTimer: ReturnType<typeof setInterval> | null = null;
  private lastSavedRevision: number;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private readonly debounceMs: number;
  private readonly intervalMs: number;

  constructor(private readonly options: AutosaveOptions) {
    this.debounceMs = options.debounceMs ?? AUTOSAVE_DEBOUNCE_MS;
    this.intervalMs = options.intervalMs ?? AUTOSAVE_INTERVAL_MS;
    this.lastSavedRevision = options.currentRevision();
  }

  /** Starts the periodic save; `baselineRevision` is the revision already on disk. */
  start(baselineRevision = this.options.currentRevision()): void {
    this.stop();
    this.lastSavedRevision = baselineRevision;
    this.intervalTimer = setInterval(() => void this.saveIfNeeded(), this.intervalMs);
  }

  stop(): void {
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer);
    if (this.intervalTimer !== null) clearInterval(this.intervalTimer);
    this.debounceTimer = null;
    this.intervalTimer = null;
  }

  get running(): boolean {
    return this.intervalTimer !== null;
  }

  /** Call after every edit. */
  notifyChange(): void {
    if (!this.running) return;
    if (this.debounceTimer !== null) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.saveIfNeeded();
    }, this.debounceMs);
  }

  /** Records that `revision` reached disk by another path (an explicit Save). */
  markSaved(revision: number): void {
    this.lastSavedRevision = Math.max(this.lastSavedRevision, revision);
  }

  get pending(): boolean {
    return this.options.currentRevision() > this.lastSavedRevision;
  }

  /** Saves now if anything is unsaved, waiting for a save already running. */
  async flush(): Promise<void> {
    if (this.debounceTimer !== null) {
      clearTimeout(this.debounceTimer);
      this.debounceTimer = null;
    }
    await this.saveIfNeeded();
    if (this.inFlight) await this.inFlight;
  }

  private saveIfNeeded(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (!this.pending) return Promise.resolve();
    const revision = this.options.currentRevision();
    this.inFlight = (async () => {
      try {
        if (await this.options.save(revision)) this.markSaved(revision);
      } catch (error) {
        this.options.onError?.(error);
      } finally {
        this.inFlight = null;
      }
      if (this.again) {
        this.again = false;
        await this.saveIfNeeded();
      }
    })();
    return this.inFlight;
  }
}

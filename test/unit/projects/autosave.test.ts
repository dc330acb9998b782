import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_DEBOUNCE_MS, AUTOSAVE_INTERVAL_MS, AutosaveScheduler } from '../../../electron/shared/domain/autosave';

describe('autosave scheduling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (saveImpl?: (r: number) => Promise<boolean>) => {
    let revision = 0;
    const saved: number[] = [];
    const scheduler = new AutosaveScheduler({ currentRevision: () => revision, save: saveImpl ?? (async (r) => (saved.push(r), true)) });
    scheduler.start(0);
    const edit = () => {
      revision++;
      scheduler.notifyChange();
    };
    return { scheduler, edit, saved };
  };

  it('saves once after a burst of edits goes quiet', async () => {
    const { edit, saved } = setup();
    for (let i = 0; i < 5; i++) {
      edit();
      await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS / 2);
    }
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS);
    expect(saved).toEqual([5]);
  });

  it('saves at least every 30 s while edits never pause', async () => {
    const { edit, saved } = setup();
    const step = AUTOSAVE_DEBOUNCE_MS / 3;
    for (let t = 0; t <= AUTOSAVE_INTERVAL_MS; t += step) {
      edit();
      await vi.advanceTimersByTimeAsync(step);
    }
    expect(saved.length).toBe(1);
  });

  it('does not save when nothing changed, and never runs two saves at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const { edit, scheduler } = setup(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 5_000));
      running--;
      return true;
    });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_INTERVAL_MS * 2);
    expect(maxRunning).toBe(0);
    edit();
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS + 10);
    edit();
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS + 10);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(maxRunning).toBe(1);
    expect(scheduler.pending).toBe(false);
  });

  it('keeps the change pending after a failed save and retries on the next tick', async () => {
    let fail = true;
    const errors: unknown[] = [];
    let revision = 0;
    const saved: number[] = [];
    const scheduler = new AutosaveScheduler({
      currentRevision: () => revision,
      save: async (r) => {
        if (fail) throw new Error('disk full');
        saved.push(r);
        return true;
      },
      onError: (e) => errors.push(e),
    });
    scheduler.start(0);
    revision = 1;
    scheduler.notifyChange();
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS + 1);
    expect(errors.length).toBe(1);
    expect(scheduler.pending).toBe(true);
    fail = false;
    await vi.advanceTimersByTimeAsync(AUTOSAVE_INTERVAL_MS);
    expect(saved).toEqual([1]);
    scheduler.stop();
  });
});

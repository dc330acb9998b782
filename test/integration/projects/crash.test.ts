import { describe, expect, it } from 'vitest';
import { runCrashTest } from './crash-harness';

/** Kills per `npm test` run; `npm run bench -- projects` does 100. */
const KILLS_IN_TEST = 15;

describe('projects survive SIGKILL during saves', () => {
  it(`a writer killed ${KILLS_IN_TEST} times at random moments leaves the last or the in-flight state, never a corrupt one`, async () => {
    const report = await runCrashTest(KILLS_IN_TEST, { seed: Date.now() >>> 0 });
    expect(report.failures).toEqual([]);
    expect(report.kills).toBe(KILLS_IN_TEST);
    expect(report.corrupt).toBe(0);
    // The project really grew across kills (each run resumes from what is on disk).
    expect(report.finalState).toBeGreaterThan(KILLS_IN_TEST);
    expect(report.backupsChecked).toBeGreaterThan(0);
  });
});

/**
 * The training runner with the real Python worker on the tiny config, in one run (one dataset load, to keep
 * the suite short): prepare a dataset from generated clips; train with preview samples on a chosen image +
 * music + prompt; pause and resume; damage the newest checkpoint and SIGKILL the worker (the supervisor skips
 * the damaged checkpoint by its hash and resumes from the previous one, steps and checkpoints continuing);
 * freeze the worker (SIGSTOP: no heartbeat) and see it killed and resumed; export a pack the inference engine
 * validates.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../electron/services/config';
import { DatasetService } from '../../../electron/services/training/dataset/dataset-service';
import { TrainingService } from '../../../electron/services/training/training-service';
import { LEDGER_FILE, type LedgerEntry } from '../../../electron/services/training/checkpoint-ledger';
import { RunSpec, type RunSample, type TrainingEvent } from '../../../electron/shared/domain/training';
import { validatePack } from '../../../electron/services/inference/pack-validator';
import { makeClip } from './clip-fixtures';

// Long enough that, on an idle machine (7 steps/s), the recovered worker is still training when the test freezes it.
const TOTAL_STEPS = 30;
const CHECKPOINT_EVERY = 3;
/** Heartbeats come every 2 s; this many silent milliseconds count as hung (short for the test). */
const HEARTBEAT_TIMEOUT_MS = 8_000;

let work: string;
let training: TrainingService | null = null;
let finishedRunDir: string | null = null;
let dataDir = '';

const waitFor = async (what: string, predicate: () => boolean, timeoutMs = 150_000) => {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const ledger = (runDir: string): LedgerEntry[] =>
  fs.existsSync(path.join(runDir, LEDGER_FILE)) ? fs.readFileSync(path.join(runDir, LEDGER_FILE), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-train-'));
});
afterAll(async () => {
  await training?.dispose(); // a failed assertion must not leave a worker training
  fs.rmSync(work, { recursive: true, force: true });
});

describe('training runner with the real worker (tiny)', () => {
  it('pauses, survives a SIGKILL with a corrupt checkpoint and a frozen worker, continues its steps, renders samples', async () => {
    const config = { ...loadConfig(), dataDir: path.join(work, 'data') };
    dataDir = config.dataDir;
    const datasets = new DatasetService({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
    const ds = path.join(work, 'ds');
    await datasets.create(ds, { config: 'tiny' });
    const clips = [makeClip(work, { name: 'a.mp4', seconds: 4.5, beatSec: 0.5 }), makeClip(work, { name: 'b.mp4', seconds: 4.5, video: 'testsrc2', beatSec: 0.6 })];
    const prepared = await datasets.addClips(ds, clips, { caption: 'a figure bounces on every beat' });
    expect(prepared.dataset.trainWindows).toBe(2);
    const image = path.join(work, 'reference.png');
    execFileSync(config.ffmpegPath, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=80x80:duration=1', '-frames:v', '1', image]);

    training = new TrainingService(config, null, { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
    const events: TrainingEvent[] = [];
    training.subscribe((e) => events.push(e));
    const spec = RunSpec.parse({
      name: 'kill-test',
      datasetDir: ds,
      config: 'tiny',
      stages: [{ stage: 1, steps: TOTAL_STEPS }],
      learningRate: 1e-4,
      checkpointEverySteps: CHECKPOINT_EVERY,
      keepCheckpoints: 5,
      sample: { everySteps: 12, referenceImage: image, audioPath: clips[0]!, prompt: 'a figure bounces', numInferenceSteps: 2 },
    });
    const estimate = await training.estimate(spec);
    expect(estimate.parameters).toBeGreaterThan(0);

    const started = await training.start(spec);
    const run = training.liveRun(started.runId);
    const runDir = run.runDir;
    const logTail = () => fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').slice(-15).join('\n');
    try {
      // Pause after the first checkpoint, then resume the paused worker.
      await waitFor('first checkpoint', () => ledger(runDir).length >= 1);
      await run.pause();
      await waitFor('paused', () => run.state.status === 'paused');
      const pausedAt = run.state.step;
      await run.resume();
      await waitFor('training again', () => run.state.status === 'training' && run.state.step > pausedAt);

      // Pause again once two interval checkpoints exist (so none is in flight), damage the newest snapshot
      // (the pause checkpoint) in place, and kill the worker without warning.
      await waitFor('two interval checkpoints', () => ledger(runDir).filter((e) => e.reason === 'interval').length >= 2);
      // Wait for THIS pause's own entry, named by the step it paused at: entries are recorded after hashing, so
      // the first pause's entry can land after this pause was asked for (counting entries before the pause then
      // mistook it for this one, and the test damaged an older snapshot than the one the recovery reads).
      await run.pause();
      const thisPause = () => ledger(runDir).filter((e) => e.reason === 'pause' && e.step === run.state.step).at(-1);
      await waitFor('paused with its checkpoint recorded', () => run.state.status === 'paused' && thisPause() !== undefined);
      const entries = ledger(runDir);
      const newest = thisPause()!;
      expect(Math.max(...entries.map((e) => e.step)), 'the pause checkpoint is the newest').toBe(newest.step);
      const fallback = [...entries].reverse().find((e) => e.step < newest.step)!;
      const fd = fs.openSync(path.join(runDir, newest.path), 'r+');
      fs.writeSync(fd, Buffer.from('not a checkpoint any more'), 0, 25, 1024);
      fs.closeSync(fd);
      process.kill(run.workerPid!, 'SIGKILL');

      // Back to training in a new worker; after its next checkpoint, freeze it (no heartbeats any more).
      await waitFor('recovered from the kill', () => run.state.autoResumes === 1 && run.state.status === 'training');
      const killedPid = run.workerPid;
      const before = ledger(runDir).length;
      await waitFor('a checkpoint after the recovery', () => ledger(runDir).length > before && run.workerPid === killedPid);
      const frozenPid = run.workerPid!;
      process.kill(frozenPid, 'SIGSTOP');

      const final = await run.whenFinished();
      expect(final).toMatchObject({ status: 'completed', step: TOTAL_STEPS, autoResumes: 2 });
      expect(run.workerPid).toBeNull();
      expect(() => process.kill(frozenPid, 0)).toThrow(); // the frozen worker was killed

      const logs = events.filter((e) => e.kind === 'log').map((e) => (e as { message: string }).message);
      expect(logs.some((m) => /stopped unexpectedly \(SIGKILL\)/.test(m))).toBe(true);
      const story = `damaged ${newest.path} (step ${newest.step}); ledger then: ${entries.map((e) => `${e.step}:${e.reason}`).join(' ')}; ledger now: ${ledger(runDir).map((e) => `${e.step}:${e.reason}`).join(' ')}; logs: ${logs.join(' | ')}`;
      expect(logs.some((m) => m.includes(path.basename(newest.path)) && /corrupt/.test(m)), story).toBe(true);
      expect(logs.some((m) => new RegExp(`sent nothing for ${HEARTBEAT_TIMEOUT_MS / 1000} s \\(hung\\)`).test(m))).toBe(true);
      expect(fs.existsSync(path.join(runDir, newest.path + '.rejected'))).toBe(true);

      // After the kill the new worker started from the fallback checkpoint: the next loss is fallback + 1.
      const lossSteps = events.filter((e) => e.kind === 'loss').map((e) => (e as { point: { step: number } }).point.step);
      const restart = lossSteps.findIndex((s, i) => i > 0 && s <= lossSteps[i - 1]!);
      expect(restart).toBeGreaterThan(0);
      expect(lossSteps[restart]).toBe(fallback.step + 1);
      expect(lossSteps.at(-1)).toBe(TOTAL_STEPS);

      // Checkpoints continued after each recovery, up to the final one, each recorded with its hash.
      const after = ledger(runDir);
      expect(after.at(-1)).toMatchObject({ step: TOTAL_STEPS, reason: 'final' });
      expect(after.filter((e) => e.step > fallback.step).length).toBeGreaterThanOrEqual(2);

      // History rebuilt from the log: every step once, finite losses; the run is listed.
      const details = await training.details({ runDir });
      expect(details.losses.map((p) => p.step)).toEqual(Array.from({ length: TOTAL_STEPS }, (_, i) => i + 1));
      expect(details.losses.every((p) => Number.isFinite(p.loss))).toBe(true);
      expect((await training.list()).map((r) => r.runId)).toContain(started.runId);

      // Samples: at least the final weights' one, each a video with its music.
      const samples = events.filter((e) => e.kind === 'sample').map((e) => (e as { sample: RunSample }).sample);
      expect(samples.length).toBeGreaterThanOrEqual(1);
      expect(samples.at(-1)!.step).toBe(TOTAL_STEPS);
      for (const sample of samples) {
        expect(sample).toMatchObject({ frames: 48, prompt: 'a figure bounces' });
        const probe = JSON.parse(execFileSync(config.ffprobePath, ['-v', 'error', '-show_streams', '-of', 'json', path.join(runDir, sample.videoPath!)], { encoding: 'utf8' }));
        expect(probe.streams.map((st: { codec_type: string }) => st.codec_type).sort()).toEqual(['audio', 'video']);
      }
      expect(details.samples.length).toBe(samples.length);
    } catch (error) {
      console.error(`run log tail:\n${logTail()}`);
      throw error;
    }
    finishedRunDir = runDir;
  }, 600_000);

  it('exports a model pack from the run that the inference engine validates and lists as a base pack', async () => {
    expect(finishedRunDir, 'needs the run of the previous test').not.toBeNull();
    const exported = await training!.exportPack({ runDir: finishedRunDir! });
    expect(path.dirname(exported.packDir)).toBe(path.join(dataDir, 'packs'));
    expect(exported.loadCheck).toMatch(/inference engine validation/);
    const { report, pack } = await validatePack(exported.packDir);
    expect(report.error).toBeNull();
    expect(pack?.manifest.config).toMatchObject({ width: 64, height: 64, fps: 12 });
    expect((await training!.basePacks()).some((p) => p.dir === exported.packDir && p.weightsPath)).toBe(true);
  }, 600_000);
});

/**
 * `npm run bench -- projects`: the full crash test (100 SIGKILLs of a saving child process; every kill must
 * leave the last or the in-flight state, never a corrupt one) and save latency of a large project next to the
 * plain `fs.writeFile` of the same bytes (the reference: what atomicity, fsync and backups cost).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MediaRoots } from '../../electron/services/media-roots';
import { ProjectService } from '../../electron/services/projects/project-service';
import { serializeProject } from '../../electron/services/projects/project-file';
import { crashState } from '../integration/projects/crash-states';
import { runCrashTest } from '../integration/projects/crash-harness';
import { bench } from './report';

const CRASH_KILLS = 100;
const SAVE_SAMPLES = 30;

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export default async function () {
  const report = await runCrashTest(CRASH_KILLS, { seed: Date.now() >>> 0, log: (l) => console.log(l) });
  for (const f of report.failures) console.log(`# crash failure: ${f}`);
  bench('projects.crash_kills', report.kills, 'count');
  bench('projects.crash_corrupt', report.corrupt, 'count');
  bench('projects.crash_landed_on_inflight_state', report.landedOnNewer, 'count');
  bench('projects.crash_killed_mid_write', report.killedMidWrite, 'count');
  bench('projects.crash_backups_checked', report.backupsChecked, 'count');
  bench('projects.crash_final_project_bytes', report.finalBytes, 'bytes');
  bench('projects.crash_writer_saves_per_s', report.savesPerSecond, 'saves/s');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'musedance-savebench-'));
  try {
    const service = new ProjectService({ appVersion: 'bench', dataDir: path.join(work, 'data'), media: new MediaRoots() });
    const { project } = await service.create(path.join(work, 'p'), 'bench');
    const big = crashState(project, 200); // 12 000 beats, 51 segments
    const bytes = Buffer.byteLength(serializeProject(big));
    const saveMs: number[] = [];
    const autosaveMs: number[] = [];
    const plainMs: number[] = [];
    for (let i = 1; i <= SAVE_SAMPLES; i++) {
      let t = performance.now();
      await service.save({ ...big, name: `bench ${i}` }, i, true);
      autosaveMs.push(performance.now() - t);
      t = performance.now();
      await service.save({ ...big, name: `bench ${i}` }, i, false);
      saveMs.push(performance.now() - t);
      t = performance.now();
      await fs.promises.writeFile(path.join(work, 'plain.json'), serializeProject({ ...big, name: `bench ${i}` }));
      plainMs.push(performance.now() - t);
    }
    await service.dispose();
    bench('projects.save_doc_bytes', bytes, 'bytes');
    bench('projects.save_atomic_with_backup_p50', percentile(saveMs, 0.5), 'ms');
    bench('projects.save_atomic_with_backup_p95', percentile(saveMs, 0.95), 'ms');
    bench('projects.autosave_atomic_p50', percentile(autosaveMs, 0.5), 'ms');
    bench('projects.reference_plain_writefile_p50', percentile(plainMs, 0.5), 'ms');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

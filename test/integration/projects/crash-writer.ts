/**
 * Child process of the crash test: opens the project at argv[2] and saves ever-growing states (autosave then
 * save) as fast as it can, printing `saved <k>` after each save has returned, until it is killed.
 */
import { MediaRoots } from '../../../electron/services/media-roots';
import { ProjectService } from '../../../electron/services/projects/project-service';
import { crashState, crashStateIndex } from './crash-states';

const [dir, dataDir] = process.argv.slice(2);
const service = new ProjectService({ appVersion: 'crash-test', dataDir: dataDir!, media: new MediaRoots() });
const opened = await service.open(dir!);
if (opened.readOnly) {
  process.stderr.write(`writer could not lock the project: ${opened.readOnlyReason}\n`);
  process.exit(2);
}
let k = (crashStateIndex(opened.project) ?? 0) + 1;
process.stdout.write(`ready ${k - 1}\n`);
for (;;) {
  const next = crashState(opened.project, k);
  await service.save(next, k, true);
  await service.save(next, k, false);
  process.stdout.write(`saved ${k}\n`);
  k++;
}

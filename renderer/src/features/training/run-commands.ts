/** What the Training screen's buttons and its palette actions do (one implementation for both). */
import type { StudioBridge } from '@shared/contract/bridge';
import { newJobId } from '../../bridge/index';
import { notify, unwrap } from '../../state/notifications';
import { toSpec } from './run-spec-draft';
import { trainingStore } from './training-store';

const specOrProblem = () => {
  const { dataset, draft } = trainingStore.getState();
  if (!dataset) return { problem: 'Open or create a dataset first.' } as const;
  if (dataset.trainWindows === 0) return { problem: 'The dataset has no usable clips yet; add clips with music.' } as const;
  return toSpec(draft, dataset.dir);
};

export async function estimateRun(studio: StudioBridge): Promise<void> {
  const r = specOrProblem();
  if ('problem' in r) return void trainingStore.patch({ estimate: null });
  const e = await studio.verbs.training.estimate({ spec: r.spec });
  trainingStore.patch({ estimate: e.ok ? e.value : null });
}

export async function startRun(studio: StudioBridge): Promise<void> {
  const r = specOrProblem();
  if ('problem' in r) return notify('warning', r.problem);
  trainingStore.connect(studio);
  trainingStore.patch({ busy: 'Starting the training worker' });
  const state = unwrap(await studio.verbs.training.start({ spec: r.spec }));
  trainingStore.patch({ busy: null, log: [] });
  if (!state) return;
  trainingStore.follow({ state, spec: r.spec as never, losses: [], samples: [], mediaRoot: `training-runs/${state.runId}` });
  notify('info', `Training run ${state.runId} started.`);
}

const followedId = () => trainingStore.getState().followed?.runId ?? null;

export async function pauseRun(studio: StudioBridge): Promise<void> {
  const id = followedId();
  if (id) unwrap(await studio.verbs.training.pause({ runId: id }));
}

export async function resumeRun(studio: StudioBridge): Promise<void> {
  const f = trainingStore.getState().followed;
  if (!f) return;
  trainingStore.connect(studio);
  const s = unwrap(f.state.status === 'paused' ? await studio.verbs.training.resume({ runId: f.runId }) : await studio.verbs.training.resume({ runDir: f.runDir }));
  if (s) trainingStore.patch({ followed: { ...f, state: s } });
}

export async function cancelRun(studio: StudioBridge): Promise<void> {
  const id = followedId();
  if (id) unwrap(await studio.verbs.training.cancel({ runId: id}));
}

export async function exportPack(studio: StudioBridge): Promise<void> {
  const f = trainingStore.getState().followed;
  if (!f) return notify('warning', 'Choose a run to export.');
  const jobId = newJobId('export');
  trainingStore.patch({ busy: 'Exporting the model pack' });
  const r = unwrap(await studio.verbs.training.exportPack({ runDir: f.runDir }, { jobId }));
  trainingStore.patch({ busy: null });
  if (r) {
    notify('success', `Pack ${r.name} exported to ${r.packDir} and added to the pack list (${r.loadCheck}).`);
    await trainingStore.openRun(studio, f.runDir);
  }
}

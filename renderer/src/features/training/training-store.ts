/**
 * State of the Training screen: the open dataset, the run history, the followed run's live loss curve and
 * samples, and an undo stack for dataset edits (captions, beats). Every change to the dataset goes through the
 * studio (the dataset lives on disk); this store only mirrors replies and `training.event`s.
 */
import { useSyncExternalStore } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import type { DatasetClip, DatasetSummary, LossPoint, RunDetails, RunEstimate, RunSample, RunState, TrainingEvent } from '@shared/domain/training';
import { Observable } from '../../state/emitter';
import { notify, unwrap } from '../../state/notifications';
import { defaultDraft, type RunSpecDraft } from './run-spec-draft';

/** Loss points kept in memory per followed run (the chart thins them for display). */
const MAX_LOSS_POINTS = 20_000;
const MAX_UNDO = 100;

export interface DatasetEdit {
  label: string;
  clipId: string;
  before: { caption?: string; beatTimesSec?: number[] };
}

export interface TrainingState {
  dataset: DatasetSummary | null;
  selectedClipIds: string[];
  busy: string | null;
  runs: RunState[];
  /** The run shown in the monitor (live or from history). */
  followed: { runId: string; runDir: string; state: RunState; losses: LossPoint[]; samples: RunSample[]; mediaRoot: string } | null;
  estimate: RunEstimate | null;
  log: { level: string; message: string }[];
  undo: DatasetEdit[];
  draft: RunSpecDraft;
}

class TrainingStore extends Observable<TrainingState> {
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super({ dataset: null, selectedClipIds: [], busy: null, runs: [], followed: null, estimate: null, log: [], undo: [], draft: defaultDraft });
  }

  patch(p: Partial<TrainingState>): void {
    this.set({ ...this.state, ...p });
  }

  /** Subscribes to run events once per bridge. */
  connect(studio: StudioBridge): void {
    if (this.unsubscribe) return;
    this.unsubscribe = studio.on('training.event', (e) => this.onEvent(e));
  }

  private onEvent(e: TrainingEvent): void {
    const f = this.state.followed;
    if (e.kind === 'state') {
      const runs = this.state.runs.some((r) => r.runId === e.runId) ? this.state.runs.map((r) => (r.runId === e.runId ? e.state : r)) : [e.state, ...this.state.runs];
      this.set({ ...this.state, runs, followed: f && f.runId === e.runId ? { ...f, state: e.state } : f });
      return;
    }
    if (!f || f.runId !== e.runId) return;
    if (e.kind === 'loss') {
      const losses = f.losses.filter((p) => !(p.stage === e.point.stage && p.step >= e.point.step));
      losses.push(e.point);
      this.set({ ...this.state, followed: { ...f, losses: losses.slice(-MAX_LOSS_POINTS) } });
    } else if (e.kind === 'sample') {
      const samples = [...f.samples.filter((x) => x.dir !== e.sample.dir), e.sample];
      this.set({ ...this.state, followed: { ...f, samples } });
    } else if (e.kind === 'log') {
      this.set({ ...this.state, log: [...this.state.log, { level: e.level, message: e.message }].slice(-50) });
    }
  }

  follow(details: RunDetails): void {
    const s = details.state;
    this.patch({ followed: { runId: s.runId, runDir: s.runDir, state: s, losses: details.losses, samples: details.samples, mediaRoot: details.mediaRoot } });
  }

  async refreshRuns(studio: StudioBridge): Promise<void> {
    const r = unwrap(await studio.verbs.training.runs({}));
    if (r) this.patch({ runs: r.runs });
  }

  async openRun(studio: StudioBridge, runDir: string): Promise<void> {
    const d = unwrap(await studio.verbs.training.run({ runDir }));
    if (d) this.follow(d);
  }

  setDataset(dataset: DatasetSummary): void {
    const ids = new Set(dataset.clips.map((c) => c.id));
    this.patch({ dataset, selectedClipIds: this.state.selectedClipIds.filter((id) => ids.has(id)) });
  }

  /** Edits one clip through the studio and records the previous values for undo. */
  async editClip(studio: StudioBridge, clip: DatasetClip, edit: { caption?: string; beatTimesSec?: number[] }, label: string): Promise<boolean> {
    const dataset = this.state.dataset;
    if (!dataset) return false;
    const before = { ...(edit.caption !== undefined ? { caption: clip.caption } : {}), ...(edit.beatTimesSec !== undefined ? { beatTimesSec: clip.beatTimesSec } : {}) };
    const r = unwrap(await studio.verbs.training.datasetUpdateClip({ dir: dataset.dir, clipId: clip.id, ...edit }));
    if (!r) return false;
    this.setDataset(r.dataset);
    this.patch({ undo: [...this.state.undo, { label, clipId: clip.id, before }].slice(-MAX_UNDO) });
    return true;
  }

  async undoLast(studio: StudioBridge): Promise<void> {
    const last = this.state.undo.at(-1);
    const dataset = this.state.dataset;
    if (!last || !dataset) return;
    const r = unwrap(await studio.verbs.training.datasetUpdateClip({ dir: dataset.dir, clipId: last.clipId, ...last.before }));
    if (!r) return;
    this.setDataset(r.dataset);
    this.patch({ undo: this.state.undo.slice(0, -1) });
    notify('info', `Undid: ${last.label}`);
  }
}

export const trainingStore = new TrainingStore();
export function useTraining<T>(select: (s: TrainingState) => T): T {
  return useSyncExternalStore(trainingStore.subscribe, () => select(trainingStore.getState()));
}

/**
 * State of "Build a pack from your own weights": the source fields, what the studio found in each (probe),
 * the estimate for the chosen size, and the build job (progress, cancel). Every action goes through the studio;
 * this store mirrors the replies and the build's `job.progress` events.
 */
import { useSyncExternalStore } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import { DEFAULT_BUILD_SIZE, type PackBuildEstimate, type PackBuildReply, type SourceKind, type SourceProbe } from '@shared/contract/pack-build';
import { newJobId } from '../../bridge/index';
import { Observable } from '../../state/emitter';
import { notify, unwrap } from '../../state/notifications';

export interface PackBuildState {
  sources: Record<SourceKind, string>;
  size: { height: string; width: string; frames: string };
  name: string;
  probes: Partial<Record<SourceKind, SourceProbe>>;
  estimate: PackBuildEstimate | null;
  job: { id: string; kind: 'estimate' | 'build'; fraction: number | null; message: string } | null;
  result: PackBuildReply | null;
}

const initial: PackBuildState = {
  sources: { sd15: '', ast: '', animateAnyone: '', motionModule: '' },
  size: { height: String(DEFAULT_BUILD_SIZE.height), width: String(DEFAULT_BUILD_SIZE.width), frames: String(DEFAULT_BUILD_SIZE.frames) },
  name: 'my-sd15',
  probes: {},
  estimate: null,
  job: null,
  result: null,
};

const isAbsolute = (p: string) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);

class PackBuildStore extends Observable<PackBuildState> {
  private unsubscribe: (() => void) | null = null;

  constructor() {
    super(initial);
  }

  patch(p: Partial<PackBuildState>): void {
    this.set({ ...this.state, ...p });
  }

  connect(studio: StudioBridge): void {
    if (this.unsubscribe) return;
    this.unsubscribe = studio.on('job.progress', (p) => {
      const j = this.state.job;
      if (j && j.id === p.jobId) this.patch({ job: { ...j, fraction: p.fraction, message: p.message } });
    });
  }

  setSource(kind: SourceKind, value: string): void {
    this.patch({ sources: { ...this.state.sources, [kind]: value }, estimate: null });
  }

  /** The sources as a request (absolute paths only; empty optional fields left out), or why not. */
  request(): { sources: { sd15: string; ast?: string; animateAnyone?: string; motionModule?: string }; size: { height: number; width: number; frames: number } } | { problem: string } {
    const s = this.state.sources;
    if (!s.sd15.trim()) return { problem: 'Choose the Stable Diffusion 1.5 folder first.' };
    for (const [k, v] of Object.entries(s)) if (v.trim() && !isAbsolute(v.trim())) return { problem: `${k}: give the full path of the folder (starting with / or a drive letter).` };
    const size = { height: Number(this.state.size.height), width: Number(this.state.size.width), frames: Number(this.state.size.frames) };
    if (![size.height, size.width].every((v) => Number.isInteger(v) && v >= 64 && v <= 1024 && v % 8 === 0)) return { problem: 'Height and width must be multiples of 8 between 64 and 1024.' };
    if (!Number.isInteger(size.frames) || size.frames < 1 || size.frames > 96) return { problem: 'Frames per segment must be 1-96.' };
    const opt = (v: string) => (v.trim() ? v.trim() : undefined);
    return { sources: { sd15: s.sd15.trim(), ast: opt(s.ast), animateAnyone: opt(s.animateAnyone), motionModule: opt(s.motionModule) }, size };
  }

  async probe(studio: StudioBridge): Promise<void> {
    const s = this.state.sources;
    const given = Object.fromEntries(Object.entries(s).filter(([, v]) => v.trim() && isAbsolute(v.trim())).map(([k, v]) => [k, v.trim()]));
    if (Object.keys(given).length === 0) return this.patch({ probes: {} });
    const r = await studio.verbs.pack.probeSources({ sources: given });
    // A reply for fields the user has changed since is stale.
    if (!r.ok || this.state.sources !== s) return;
    this.patch({ probes: Object.fromEntries(r.value.probes.map((p) => [p.kind, p])) });
  }

  async estimate(studio: StudioBridge): Promise<void> {
    const req = this.request();
    if ('problem' in req) return notify('warning', req.problem);
    this.connect(studio);
    const id = newJobId('pack-estimate');
    this.patch({ job: { id, kind: 'estimate', fraction: null, message: 'Reading the sources' }, estimate: null });
    const r = unwrap(await studio.verbs.pack.buildEstimate(req, { jobId: id }));
    this.patch({ job: null, estimate: r });
  }

  async build(studio: StudioBridge): Promise<void> {
    const req = this.request();
    if ('problem' in req) return notify('warning', req.problem);
    this.connect(studio);
    const id = newJobId('pack-build');
    this.patch({ job: { id, kind: 'build', fraction: 0, message: 'Starting the pack builder' }, result: null });
    const r = await studio.verbs.pack.build({ ...req, name: this.state.name.trim() || undefined }, { jobId: id });
    this.patch({ job: null });
    if (!r.ok) {
      if (r.error.code === 'CANCELLED') return notify('info', 'Pack build cancelled; nothing was left behind.');
      return void unwrap(r);
    }
    this.patch({ result: r.value, estimate: r.value.estimate ?? this.state.estimate });
    notify('success', `Pack ${r.value.name} built (${(r.value.bytes / 1024 ** 3).toFixed(2)} GiB) and added to the pack list.`);
  }

  async cancel(studio: StudioBridge): Promise<void> {
    const j = this.state.job;
    if (!j) return;
    this.patch({ job: { ...j, message: 'Cancelling…' } });
    await studio.verbs.jobs.cancel({ jobId: j.id });
  }
}

export const packBuildStore = new PackBuildStore();
export function usePackBuild<T>(select: (s: PackBuildState) => T): T {
  return useSyncExternalStore(packBuildStore.subscribe, () => select(packBuildStore.getState()));
}

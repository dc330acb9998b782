import { useSyncExternalStore } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import type { DoctorReport } from '@shared/domain/doctor';
import { Observable } from '../../state/emitter';
import { notifyError } from '../../state/notifications';

type DoctorState = { status: 'idle' | 'running' | 'done' | 'error'; report: DoctorReport | null; error: string | null };

class DoctorStore extends Observable<DoctorState> {
  constructor() {
    super({ status: 'idle', report: null, error: null });
  }
  async run(studio: StudioBridge): Promise<void> {
    this.set({ ...this.state, status: 'running' });
    const result = await studio.verbs.system.doctor({});
    if (result.ok) this.set({ status: 'done', report: result.value, error: null });
    else {
      notifyError(result.error);
      this.set({ status: 'error', report: this.state.report, error: result.error.message });
    }
  }
}

export const doctorStore = new DoctorStore();
export const useDoctor = () => useSyncExternalStore(doctorStore.subscribe, doctorStore.getState);

import { defineAction } from '../../../actions/action';
import { uiStore } from '../../../state/ui-store';
import { doctorStore } from '../doctor-store';

export const runDoctor = defineAction({
  id: 'system.runDoctor', label: 'Run system check (doctor)', group: 'System',
  run: async ({ studio }) => {
    uiStore.update({ view: 'system' });
    await doctorStore.run(studio);
  },
});

export const systemActions = [runDoctor];

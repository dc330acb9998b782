/** Top-level screens (tabs in the app bar). Features add their screen here, one line each. */
import type { ComponentType } from 'react';
import type { ViewId } from '../state/ui-store';
import { StudioView } from './StudioView';
import { SystemPanel } from '../features/system/SystemPanel';
import { TrainingView } from '../features/training/TrainingView';

export interface ViewSpec {
  id: ViewId;
  label: string;
  component: ComponentType;
}

export const views: ViewSpec[] = [
  { id: 'studio', label: 'Studio', component: StudioView },
  { id: 'training', label: 'Training', component: TrainingView },
  { id: 'system', label: 'System', component: SystemPanel },
];

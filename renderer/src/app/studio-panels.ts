/**
 * Panels of the Studio screen, shown top to bottom when a project is open (timeline, generate, ...).
 * Features add their panel here, one line each.
 */
import type { ComponentType } from 'react';
import { TimelinePanel } from '../features/timeline/index';
import { MediaPanel } from '../features/media/index';
import { GeneratePanel } from '../features/generate/index';

export interface StudioPanel {
  id: string;
  component: ComponentType;
}

export const studioPanels: StudioPanel[] = [
  { id: 'media', component: MediaPanel },
  { id: 'timeline', component: TimelinePanel },
  { id: 'generate', component: GeneratePanel },
];

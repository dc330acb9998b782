/** What a screen reader hears about the selected beat(s): position, frame the model sees, kind. */
import type { Project } from '@shared/domain/project';
import { beatFrame } from './frame-model';

export function markerAnnouncement(project: Project | null, selected: ReadonlySet<string>): string {
  if (!project || selected.size === 0) return 'No beat selected.';
  if (selected.size > 1) return `${selected.size} beats selected.`;
  const index = project.beats.findIndex((b) => selected.has(b.id));
  const b = project.beats[index];
  if (!b) return 'No beat selected.';
  return `Beat ${index + 1} of ${project.beats.length} at ${b.timeSec.toFixed(3)} s, frame ${beatFrame(b.timeSec, project.fps)}, ${b.source}${b.anchored ? ', anchored' : ''}${b.bar !== undefined ? `, downbeat of bar ${b.bar}` : ''}.`;
}

/**
 * What a person needs to choose between two copies of a project (the saved file vs an autosave or backup):
 * a small summary of each and a few human lines saying what differs. Pure; the renderer may import it.
 */
import type { Project } from './project';

export interface ProjectSummary {
  name: string;
  beats: number;
  userBeats: number;
  segments: number;
  prompts: number;
  takes: number;
  song: string | null;
  referenceImage: string | null;
  seq: number;
  savedAt: string;
}

export const summarizeProject = (p: Project): ProjectSummary => ({
  name: p.name,
  beats: p.beats.length,
  userBeats: p.beats.filter((b) => b.source === 'user').length,
  segments: p.segments.length,
  prompts: p.segments.filter((s) => s.prompt.trim() !== '').length,
  takes: p.segments.reduce((n, s) => n + s.takes.length, 0),
  song: p.song?.originalName ?? null,
  referenceImage: p.referenceImage?.originalName ?? null,
  seq: p.saved.seq,
  savedAt: p.saved.savedAt,
});

const MAX_LISTED = 5;
const listed = (items: string[]): string => (items.length <= MAX_LISTED ? items.join(', ') : `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more`);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Lines describing how `other` differs from `base`, most important first; empty when the content is the same. */
export function describeProjectDiff(base: Project, other: Project): string[] {
  const lines: string[] = [];
  if (base.name !== other.name) lines.push(`Name: "${base.name}" → "${other.name}"`);
  if (base.song?.sha256 !== other.song?.sha256) lines.push(`Song: ${base.song?.originalName ?? 'none'} → ${other.song?.originalName ?? 'none'}`);
  if (base.referenceImage?.sha256 !== other.referenceImage?.sha256) {
    lines.push(`Reference image: ${base.referenceImage?.originalName ?? 'none'} → ${other.referenceImage?.originalName ?? 'none'}`);
  }
  if (base.fps !== other.fps) lines.push(`Frame rate: ${base.fps} → ${other.fps} fps`);
  if (base.framesPerSegment !== other.framesPerSegment) lines.push(`Frames per segment: ${base.framesPerSegment} → ${other.framesPerSegment}`);

  const baseBeats = new Map(base.beats.map((b) => [b.id, b]));
  const otherBeats = new Map(other.beats.map((b) => [b.id, b]));
  const added = other.beats.filter((b) => !baseBeats.has(b.id)).length;
  const removed = base.beats.filter((b) => !otherBeats.has(b.id)).length;
  const changed = other.beats.filter((b) => {
    const was = baseBeats.get(b.id);
    return was !== undefined && (was.timeSec !== b.timeSec || was.anchored !== b.anchored || was.source !== b.source);
  }).length;
  if (added || removed || changed) {
    const parts = [added && `${added} added`, removed && `${removed} removed`, changed && `${changed} moved or edited`].filter(Boolean);
    lines.push(`Beat markers: ${base.beats.length} → ${other.beats.length} (${parts.join(', ')})`);
  }

  const baseSegments = new Map(base.segments.map((s) => [s.id, s]));
  const otherIds = new Set(other.segments.map((s) => s.id));
  const segAdded = other.segments.filter((s) => !baseSegments.has(s.id)).length;
  const segRemoved = base.segments.filter((s) => !otherIds.has(s.id)).length;
  if (segAdded || segRemoved) lines.push(`Segments: ${base.segments.length} → ${other.segments.length}`);
  const promptChanged: string[] = [];
  const takesChanged: string[] = [];
  const settingsChanged: string[] = [];
  other.segments.forEach((s, index) => {
    const was = baseSegments.get(s.id);
    if (!was) return;
    const label = `#${index + 1}`;
    if (was.prompt !== s.prompt) promptChanged.push(label);
    if (was.takes.length !== s.takes.length || was.keptTakeId !== s.keptTakeId) takesChanged.push(label);
    if (was.seed !== s.seed || was.frames !== s.frames || was.startFrame !== s.startFrame || was.colour !== s.colour) settingsChanged.push(label);
  });
  if (promptChanged.length) lines.push(`Prompt changed in ${plural(promptChanged.length, 'segment')} (${listed(promptChanged)})`);
  if (takesChanged.length) lines.push(`Takes changed in ${plural(takesChanged.length, 'segment')} (${listed(takesChanged)})`);
  if (settingsChanged.length) lines.push(`Seed/length/colour changed in ${plural(settingsChanged.length, 'segment')} (${listed(settingsChanged)})`);

  // Fields added by later features are compared as a whole so no difference goes unmentioned.
  const known = new Set(['version', 'id', 'createdAt', 'saved', 'migratedFrom', 'name', 'song', 'referenceImage', 'fps', 'framesPerSegment', 'beats', 'segments']);
  const extraKeys = new Set([...Object.keys(base), ...Object.keys(other)].filter((k) => !known.has(k)));
  const extraChanged = [...extraKeys].filter((k) => JSON.stringify((base as Record<string, unknown>)[k]) !== JSON.stringify((other as Record<string, unknown>)[k]));
  if (extraChanged.length) lines.push(`Other settings changed: ${listed(extraChanged)}`);

  if (!lines.length && !sameSegmentsDeep(base, other)) lines.push('Segment details changed');
  return lines;
}

const sameSegmentsDeep = (a: Project, b: Project): boolean => JSON.stringify(a.segments) === JSON.stringify(b.segments) && JSON.stringify(a.beats) === JSON.stringify(b.beats);

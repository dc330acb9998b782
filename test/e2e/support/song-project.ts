/**
 * Test setup for timeline tests: a real click-track song made by ffmpeg (lavfi `aevalsrc`, a decaying 1.5 kHz
 * blip on every beat at a known tempo) and a project holding it, made through the real services
 * (project.new -> media.importSong -> project.save -> project.close) so the UI can open it like a user would.
 */
import { execFileSync } from 'node:child_process';
import type { HandlerRegistry } from '../../../electron/ipc/registry';
import type { BeatMarker, Project } from '../../../electron/shared/domain/project';

export interface ClickTrack {
  bpm: number;
  seconds: number;
  sampleRate?: number;
}

export function makeClickTrack(file: string, { bpm, seconds, sampleRate = 44_100 }: ClickTrack): string {
  const period = 60 / bpm;
  // A soft pad under the clicks keeps the waveform readable; the clicks carry the beat.
  const expr = `0.85*sin(2*PI*1500*t)*exp(-45*mod(t,${period}))+0.08*sin(2*PI*110*t)`;
  execFileSync(process.env.MUSEDANCE_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=exprs='${expr}':s=${sampleRate}:d=${seconds}`, '-ac', '1', '-c:a', 'pcm_s16le', file]);
  return file;
}

async function call<T>(registry: HandlerRegistry, channel: string, request: unknown): Promise<T> {
  const r = await registry.dispatch(channel, request);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** Creates a project in `dir` holding `songFile` (and optionally beats), saved and closed. */
export async function projectWithSong(registry: HandlerRegistry, dir: string, songFile: string, beats?: BeatMarker[]): Promise<Project> {
  const opened = await call<{ project: Project }>(registry, 'project.new', { dir, name: 'Timeline test' });
  const imported = await call<{ song: Project['song'] }>(registry, 'media.importSong', { projectDir: dir, path: songFile });
  const project: Project = { ...opened.project, song: imported.song, beats: beats ?? [] };
  await call(registry, 'project.save', { project, revision: 1, autosave: false });
  await call(registry, 'project.close', { discardUnsaved: false });
  return project;
}

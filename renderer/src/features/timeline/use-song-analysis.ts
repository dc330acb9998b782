/**
 * Loads the open project's song analysis from the service (with progress) whenever the song changes, and
 * adopts it: detected beats when the project has none, segments covering the song.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudioBridge } from '@shared/contract/bridge';
import { newJobId } from '../../bridge/index';
import { useProjectState } from '../../state/project-store';
import { analyseSong } from './analysis-client';
import { notify } from '../../state/notifications';
import { adoptAnalysis } from './timeline-edits';
import { timelineStore } from './timeline-store';

const joinPath = (dir: string, rel: string) => `${dir.replace(/[\\/]+$/, '')}/${rel}`;

/** Returns `retry()`: analyse again, bypassing the service's cache (after a failure). */
export function useSongAnalysis(studio: StudioBridge): () => void {
  const [attempt, setAttempt] = useState(0);
  const dir = useProjectState((s) => s.dir);
  const songPath = useProjectState((s) => s.project?.song?.path ?? null);
  // The song this project's beats were last shown for: a different song replaces them with its own.
  const shown = useRef<{ dir: string | null; songPath: string | null }>({ dir: null, songPath: null });
  useEffect(() => {
    const songChanged = shown.current.dir === dir && shown.current.songPath !== null && shown.current.songPath !== songPath;
    shown.current = { dir, songPath };
    timelineStore.reset();
    if (!dir || !songPath) return;
    let live = true;
    const jobId = newJobId('analyse');
    timelineStore.update({ analysis: { status: 'loading', message: 'Analysing the song…', fraction: null } });
    const off = studio.on('job.progress', (e) => {
      if (live && e.jobId === jobId) timelineStore.update({ analysis: { status: 'loading', message: e.message, fraction: e.fraction } });
    });
    void analyseSong(studio, joinPath(dir, songPath), jobId, attempt > 0).then((result) => {
      if (!live) return;
      if (!result.ok) {
        timelineStore.update({ analysis: { status: 'error', ...result.error } });
        return;
      }
      timelineStore.update({ analysis: { status: 'ready', analysis: result.value } });
      // The beat network could not run and the DP tracker stood in: the user hears it (no bars this time).
      if (result.value.trackerNote) notify('warning', result.value.trackerNote);
      adoptAnalysis(result.value.durationSec, result.value.beatsSec, songChanged, result.value.downbeatBars);
    });
    return () => {
      live = false;
      off();
      void studio.verbs.jobs.cancel({ jobId });
    };
  }, [studio, dir, songPath, attempt]);
  return useCallback(() => setAttempt((n) => n + 1), []);
}

/**
 * The preview monitor (issue 23): plays the assembled result — every kept take in order — in sync with the
 * timeline's playhead. The song plays from the timeline; the monitor's video is silent, all-keyframe, and is
 * seeked to the centre of the playhead's frame on every playhead move, so it is frame-accurate while playing,
 * paused or scrubbing. Its own transport (play/pause, scrub, frame step, J/K/L, loop) drives the same playhead.
 */
import { useEffect, useMemo, useRef } from 'react';
import { Box, IconButton, LinearProgress, Slider, Stack, Tooltip, Typography } from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import PauseIcon from '@mui/icons-material/Pause';
import SkipPreviousIcon from '@mui/icons-material/SkipPrevious';
import SkipNextIcon from '@mui/icons-material/SkipNext';
import RepeatIcon from '@mui/icons-material/Repeat';
import { useStudio, newJobId } from '../../bridge/index';
import { useProjectState } from '../../state/project-store';
import { assembleTakes } from '../../shared/assembled-takes';
import { DEMO_PACK_ID, packBadge } from '../../shared/pack-badge';
import { useGenerateState } from '../../state/generate-store';
import { playerController } from './player-controller';
import { formatClock } from './lane-layout';
import { timelineStore, useTimeline } from './timeline-store';
import { monitorFrame, monitorStore, useMonitor } from './monitor-store';
import { stepFrames, toggleLoop } from './actions/monitor';

const MONITOR_PX = 256;

export function PreviewMonitor({ durationSec }: { durationSec: number }) {
  const studio = useStudio();
  const dir = useProjectState((s) => s.dir);
  const segments = useProjectState((s) => s.project?.segments ?? null);
  const fps = useProjectState((s) => s.project?.fps ?? 12);
  const assembled = useMemo(() => (segments ? assembleTakes(segments) : null), [segments]);
  const key = assembled ? `${fps}|${assembled.startFrame}|${assembled.takePaths.join(',')}` : '';
  const video = useMonitor((s) => s.video);
  const building = useMonitor((s) => s.building);
  const error = useMonitor((s) => s.error);
  const loop = useMonitor((s) => s.loop);
  const cursorSec = useTimeline((s) => s.cursorSec);
  const playing = useTimeline((s) => s.playing);
  const ref = useRef<HTMLVideoElement>(null);
  const packs = useGenerateState((s) => s.packs);
  const takePackId = segments?.flatMap((seg) => seg.takes)[0]?.packId;
  const madeWith = takePackId ? packBadge(packs.find((p) => p.id === takePackId) ?? { id: takePackId, source: takePackId === DEMO_PACK_ID ? 'bundled' : 'user', width: null, height: null }) : null;

  // (Re)assemble when the kept takes change; the service caches by take list, so this is instant after the first time.
  useEffect(() => {
    if (!dir || !assembled || !assembled.takePaths.length) {
      monitorStore.update({ video: null, building: false, error: null });
      return;
    }
    if (monitorStore.getState().video?.key === key) return;
    let live = true;
    const jobId = newJobId('monitor');
    monitorStore.update({ building: true, error: null });
    void studio.verbs.generate.monitor({ projectDir: dir, takePaths: assembled.takePaths, fps }, { jobId }).then((r) => {
      if (!live) return;
      if (!r.ok) return monitorStore.update({ building: false, error: r.error.message });
      monitorStore.update({ building: false, video: { path: r.value.path, frames: r.value.frames, startFrame: assembled.startFrame, key } });
    });
    return () => {
      live = false;
    };
  }, [studio, dir, key, fps, assembled]);

  // Follow the playhead: show the frame under it (and loop the chosen range while playing).
  useEffect(() => {
    const sync = () => {
      const el = ref.current;
      const v = monitorStore.getState().video;
      const t = timelineStore.getState();
      const range = monitorStore.getState().loop;
      if (range && t.playing && t.cursorSec >= range.endSec - 0.5 / fps) playerController.get()?.seek(range.startSec);
      if (!el || !v) return;
      const at = monitorFrame(t.cursorSec, fps, v.startFrame, v.frames);
      el.dataset.frame = at ? String(at.frame) : '';
      if (at && Math.abs(el.currentTime - at.videoSec) > 1e-3) el.currentTime = at.videoSec;
    };
    sync();
    const offT = timelineStore.subscribe(sync);
    const offM = monitorStore.subscribe(sync);
    return () => {
      offT();
      offM();
    };
  }, [fps]);

  const at = video ? monitorFrame(cursorSec, fps, video.startFrame, video.frames) : null;
  const player = () => playerController.get();
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'stretch' }} data-testid="preview-monitor" aria-label="Preview monitor">
      <Box sx={{ position: 'relative', width: MONITOR_PX, height: MONITOR_PX, bgcolor: '#000', borderRadius: 1, overflow: 'hidden', flexShrink: 0 }}>
        {video && (
          <video
            ref={ref}
            src={studio.mediaUrl('project', video.path)}
            muted
            playsInline
            preload="auto"
            width={MONITOR_PX}
            height={MONITOR_PX}
            style={{ imageRendering: 'pixelated', display: 'block', visibility: at ? 'visible' : 'hidden' }}
            onLoadedData={() => monitorStore.update({})}
            data-testid="monitor-video"
          />
        )}
        {(!video || !at) && (
          <Typography variant="body2" color="grey.400" sx={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center', textAlign: 'center', p: 2 }} data-testid="monitor-empty">
            {building ? 'Assembling the kept takes…' : error ? error : video ? 'No take at the playhead yet' : 'Generate a segment to watch the result here'}
          </Typography>
        )}
        {building && <LinearProgress sx={{ position: 'absolute', left: 0, right: 0, bottom: 0 }} />}
      </Box>
      <Stack spacing={1} sx={{ flexGrow: 1, minWidth: 0, justifyContent: 'center' }}>
        <Typography variant="subtitle2">Preview monitor — the kept takes in order, with the song</Typography>
        {madeWith && (
          <Typography variant="caption" color={madeWith.demo ? 'warning.main' : 'text.secondary'} data-testid="monitor-pack">
            Made with {madeWith.label}
          </Typography>
        )}
        <Typography variant="body2" color="text.secondary" sx={{ fontVariantNumeric: 'tabular-nums' }} data-testid="monitor-status">
          {formatClock(cursorSec, 0.01)} · frame {Math.floor(cursorSec * fps + 1e-6)}
          {video ? ` · ${video.frames} frames assembled (${(video.frames / fps).toFixed(1)} s)` : ''}
          {loop ? ` · looping ${formatClock(loop.startSec, 0.01)}–${formatClock(loop.endSec, 0.01)}` : ''}
        </Typography>
        <Slider
          size="small"
          aria-label="Scrub"
          min={0}
          max={Math.max(0.01, durationSec)}
          step={1 / fps}
          value={Math.min(cursorSec, durationSec)}
          onChange={(_e, v) => player()?.seek(v as number)}
          data-testid="monitor-scrub"
        />
        <Stack direction="row" spacing={0.5}>
          <Tooltip title="Previous frame (Ctrl+←)">
            <IconButton aria-label="Previous frame" onClick={() => stepFrames(-1)} data-testid="monitor-frame-back">
              <SkipPreviousIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title="Play / pause (Space, K to pause, L to play, J back 1 s)">
            <IconButton aria-label={playing ? 'Pause' : 'Play'} onClick={() => player()?.playPause()} data-testid="monitor-play">
              {playing ? <PauseIcon /> : <PlayArrowIcon />}
            </IconButton>
          </Tooltip>
          <Tooltip title="Next frame (Ctrl+→)">
            <IconButton aria-label="Next frame" onClick={() => stepFrames(1)} data-testid="monitor-frame-forward">
              <SkipNextIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title="Loop the selected segments, or the segment under the playhead (Shift+L)">
            <IconButton aria-label="Loop segment" aria-pressed={!!loop} color={loop ? 'primary' : 'default'} onClick={() => toggleLoop()} data-testid="monitor-loop">
              <RepeatIcon />
            </IconButton>
          </Tooltip>
        </Stack>
      </Stack>
    </Stack>
  );
}

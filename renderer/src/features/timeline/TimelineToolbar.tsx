/** Transport, zoom, toggles and beat tools above the timeline; every button is a registered action. */
import { Box, Divider, Typography } from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import PauseIcon from '@mui/icons-material/Pause';
import ZoomInIcon from '@mui/icons-material/ZoomIn';
import ZoomOutIcon from '@mui/icons-material/ZoomOut';
import MyLocationIcon from '@mui/icons-material/MyLocation';
import AvTimerIcon from '@mui/icons-material/AvTimer';
import AddIcon from '@mui/icons-material/Add';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlined';
import PushPinIcon from '@mui/icons-material/PushPin';
import TouchAppIcon from '@mui/icons-material/TouchApp';
import AutorenewIcon from '@mui/icons-material/Autorenew';
import FileDownloadIcon from '@mui/icons-material/FileDownload';
import FileUploadIcon from '@mui/icons-material/FileUpload';
import { useProjectState } from '../../state/project-store';
import { ActionButton } from './ActionButton';
import { formatClock } from './lane-layout';
import { useTimeline } from './timeline-store';
import { beatsTempoBpm } from './beat-ops';

export function TimelineToolbar({ durationSec, tempoBpm }: { durationSec: number; tempoBpm: number }) {
  const playing = useTimeline((s) => s.playing);
  const follow = useTimeline((s) => s.followPlayhead);
  const metronome = useTimeline((s) => s.metronome);
  const cursorSec = useTimeline((s) => s.cursorSec);
  const tapped = useTimeline((s) => s.tapped);
  const taps = useTimeline((s) => s.tapsSec.length);
  const selected = useTimeline((s) => s.selectedBeats.size);
  const beatCount = useProjectState((s) => s.project?.beats.length ?? 0);
  const beatsBpm = useProjectState((s) => (s.project ? beatsTempoBpm(s.project.beats) : null));
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.5, flexWrap: 'wrap', minHeight: 40 }} role="toolbar" aria-label="Timeline tools">
      <ActionButton id="timeline.playPause" icon={playing ? <PauseIcon /> : <PlayArrowIcon />} />
      <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums', minWidth: 120 }} data-testid="timeline-clock">
        {formatClock(cursorSec, 0.01)} / {formatClock(durationSec, 0.01)}
      </Typography>
      <ActionButton id="timeline.zoomOut" icon={<ZoomOutIcon />} />
      <ActionButton id="timeline.zoomIn" icon={<ZoomInIcon />} />
      <ActionButton id="timeline.followPlayhead" icon={<MyLocationIcon />} pressed={follow} />
      <ActionButton id="timeline.metronome" icon={<AvTimerIcon />} pressed={metronome} />
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <ActionButton id="beats.add" icon={<AddIcon />} />
      <ActionButton id="beats.delete" icon={<DeleteOutlineIcon />} disabled={!selected} />
      <ActionButton id="beats.toggleAnchor" icon={<PushPinIcon />} disabled={!selected} />
      <ActionButton id="beats.halveTempo" text="½×" />
      <ActionButton id="beats.doubleTempo" text="2×" />
      <ActionButton id="beats.tap" icon={<TouchAppIcon />} />
      {tapped && <ActionButton id="beats.applyTapped" text={`Use ${tapped.bpm.toFixed(1)} BPM`} />}
      <ActionButton id="beats.redetect" icon={<AutorenewIcon />} />
      <ActionButton id="beats.detectBars" text="Bars" />
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <ActionButton id="beats.exportMarkers" icon={<FileDownloadIcon />} />
      <ActionButton id="beats.importMarkers" icon={<FileUploadIcon />} />
      <Typography variant="body2" color="text.secondary" sx={{ ml: 'auto', whiteSpace: 'nowrap' }} data-testid="beat-summary">
        {beatCount} beats{selected ? ` · ${selected} selected` : ''} · {tempoLabel(beatsBpm, tempoBpm)}
        {taps && !tapped ? ` · tapping (${taps})` : ''}
      </Typography>
    </Box>
  );
}

/**
 * The tempo of the beats as edited (issue 23: the label used to keep the detected tempo after ½x, 2x or taps);
 * while the beats still match the detection (within 1 %), it says so.
 */
export function tempoLabel(beatsBpm: number | null, detectedBpm: number): string {
  if (!beatsBpm) return detectedBpm ? `no tempo (${detectedBpm.toFixed(1)} BPM detected)` : 'no tempo';
  if (detectedBpm && Math.abs(beatsBpm - detectedBpm) <= detectedBpm * 0.01) return `${detectedBpm.toFixed(1)} BPM detected`;
  return `${beatsBpm.toFixed(1)} BPM (edited; ${detectedBpm ? `${detectedBpm.toFixed(1)} detected` : 'none detected'})`;
}

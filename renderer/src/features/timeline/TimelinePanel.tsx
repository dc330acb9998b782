/**
 * The Timeline panel of the Studio screen: toolbar, waveform with beats/frame grid/segments, minimap,
 * scroll bar, the model's beat input for the current segment, and the segment inspector.
 */
import { useEffect } from 'react';
import { Alert, Box, Button, LinearProgress, Paper, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { useProjectState } from '../../state/project-store';
import { MarkerDialog } from './MarkerDialog';
import { ModelInputRow } from './ModelInputRow';
import { SegmentInspector } from './SegmentInspector';
import { TimelineScrollbar } from './TimelineScrollbar';
import { TimelineToolbar } from './TimelineToolbar';
import { WaveformView } from './WaveformView';
import { PreviewMonitor } from './PreviewMonitor';
import { useSongAnalysis } from './use-song-analysis';
import { useTimeline } from './timeline-store';
import { relayoutSegments } from './timeline-edits';

export function TimelinePanel() {
  const studio = useStudio();
  const retry = useSongAnalysis(studio);
  const analysis = useTimeline((s) => s.analysis);
  const songPath = useProjectState((s) => s.project?.song?.path ?? null);
  const songUrl = songPath ? studio.mediaUrl('project', songPath) : null;
  const fps = useProjectState((s) => s.project?.fps);
  const framesPerSegment = useProjectState((s) => s.project?.framesPerSegment);
  const durationSec = analysis.status === 'ready' ? analysis.analysis.durationSec : null;
  useEffect(() => {
    if (durationSec !== null) relayoutSegments(durationSec);
  }, [durationSec, fps, framesPerSegment]);
  return (
    <Paper variant="outlined" component="section" aria-label="Timeline" sx={{ p: 1.5, display: 'flex', flexDirection: 'column', gap: 1 }} data-testid="timeline-panel">
      {analysis.status === 'ready' ? (
        <>
          <PreviewMonitor durationSec={analysis.analysis.durationSec} />
          <TimelineToolbar durationSec={analysis.analysis.durationSec} tempoBpm={analysis.analysis.tempoBpm} />
          <WaveformView analysis={analysis.analysis} songUrl={songUrl} />
          <TimelineScrollbar durationSec={analysis.analysis.durationSec} />
          <ModelInputRow />
          <SegmentInspector />
        </>
      ) : (
        <Box sx={{ py: 3, textAlign: 'center' }}>
          {analysis.status === 'none' && <Typography color="text.secondary">Import a song to see its waveform, beats and segments here.</Typography>}
          {analysis.status === 'loading' && (
            <>
              <Typography color="text.secondary" sx={{ mb: 1 }}>{analysis.message}</Typography>
              <LinearProgress variant={analysis.fraction === null ? 'indeterminate' : 'determinate'} value={(analysis.fraction ?? 0) * 100} aria-label="Song analysis progress" />
            </>
          )}
          {analysis.status === 'error' && (
            <Alert severity="error" data-testid="analysis-error" action={<Button color="inherit" size="small" onClick={retry}>Analyse again</Button>}>
              {analysis.message} ({analysis.code})
            </Alert>
          )}
        </Box>
      )}
      <MarkerDialog />
    </Paper>
  );
}

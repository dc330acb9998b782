/**
 * The beat one-hot row the model receives for one segment (K cells, 1 where a beat lands), from the same
 * shared function inference uses: what no other editor shows, and what makes a misplaced beat obvious.
 */
import { Box, Typography } from '@mui/material';
import { useProjectState } from '../../state/project-store';
import { segmentOneHot } from './frame-model';
import { segmentIndexAtFrame } from '../../shared/segment-ops';
import { useTimeline } from './timeline-store';

export function ModelInputRow() {
  const project = useProjectState((s) => s.project);
  const cursorSec = useTimeline((s) => s.cursorSec);
  const selectedSegments = useTimeline((s) => s.selectedSegments);
  if (!project || !project.segments.length) return null;
  const selectedIndex = project.segments.findIndex((s) => selectedSegments.has(s.id));
  const index = selectedIndex >= 0 ? selectedIndex : Math.max(0, segmentIndexAtFrame(project.segments, Math.floor(cursorSec * project.fps)));
  const seg = project.segments[index]!;
  const row = segmentOneHot(project.beats, seg.startFrame, seg.frames, project.fps);
  const ones = [...row.keys()].filter((i) => row[i] === 1);
  return (
    <Box>
      <Typography variant="caption" color="text.secondary">
        Model beat input · segment {index + 1} · frames {seg.startFrame}–{seg.startFrame + seg.frames - 1} at {project.fps} fps · beats on frames {ones.length ? ones.join(', ') : 'none'}
      </Typography>
      <Box
        role="img"
        aria-label={`Beat one-hot row for segment ${index + 1}: ${ones.length} beats, on frames ${ones.join(', ') || 'none'} of ${seg.frames}`}
        data-testid="one-hot-row"
        data-onehot={Array.from(row).join('')}
        sx={{ display: 'grid', gridTemplateColumns: `repeat(${seg.frames}, 1fr)`, gap: '1px', mt: 0.5 }}
      >
        {Array.from(row, (v, i) => (
          <Box key={i} sx={{ height: 14, bgcolor: v ? 'primary.main' : '#262a33', borderLeft: i % 12 === 0 ? '1px solid #6b7385' : 'none' }} />
        ))}
      </Box>
    </Box>
  );
}

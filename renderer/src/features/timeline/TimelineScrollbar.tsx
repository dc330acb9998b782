/** Horizontal scroll position of the timeline as a slider (keyboard and screen-reader friendly). */
import { Slider } from '@mui/material';
import { playerController } from './player-controller';
import { formatClock } from './lane-layout';
import { useTimeline } from './timeline-store';

export function TimelineScrollbar({ durationSec }: { durationSec: number }) {
  const start = useTimeline((s) => s.viewStartSec);
  const width = useTimeline((s) => s.viewWidthSec);
  const max = Math.max(0, durationSec - width);
  if (max <= 0.01) return null;
  return (
    <Slider
      size="small"
      aria-label="Scroll timeline"
      min={0}
      max={max}
      step={Math.max(0.01, width / 20)}
      value={Math.min(start, max)}
      valueLabelDisplay="auto"
      valueLabelFormat={(v) => formatClock(v, 1)}
      onChange={(_e, v) => playerController.get()?.scrollToSec(v as number)}
      sx={{ py: 0.5, mt: 0.5 }}
    />
  );
}

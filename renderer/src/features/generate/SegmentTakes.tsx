import { useEffect } from 'react';
import { Box, Button, Chip, Stack, Tooltip, Typography } from '@mui/material';
import type { Segment } from '@shared/domain/project';
import { useStudio } from '../../bridge/index';
import { projectStore, useProjectState } from '../../state/project-store';
import { generateStore, keptTake, useGenerateState } from '../../state/generate-store';
import { SEAM_FLICKER_WARN_RATIO, SEAM_SSIM_DRIFT_WARN } from '@shared/contract/generate';
import { beatsLabel, identityLabel } from '../../shared/qa-labels';

const NO_COMPARE: [string | null, string | null] = [null, null];
const fmt = (n: number | null, digits = 2) => (n === null ? '–' : n.toFixed(digits));

/** Keeping another take changes the frames the next segment was extended from: its takes become stale. */
function keep(segmentId: string, takeId: string) {
  projectStore.apply('Keep take', (p) => {
    const ordered = [...p.segments].sort((a, b) => a.startFrame - b.startFrame);
    const index = ordered.findIndex((s) => s.id === segmentId);
    const nextId = ordered[index + 1]?.id;
    return { ...p, segments: p.segments.map((s) => (s.id === segmentId ? { ...s, keptTakeId: takeId } : s.id === nextId ? { ...s, takes: s.takes.map((t) => ({ ...t, stale: true })) } : s)) };
  });
}

function SegmentRow({ segment, index, fps }: { segment: Segment; index: number; fps: number }) {
  const studio = useStudio();
  const qa = useGenerateState((s) => s.qa);
  const running = useGenerateState((s) => s.running);
  const compare = useGenerateState((s) => s.compare[segment.id] ?? NO_COMPARE);
  const kept = keptTake(segment);
  useEffect(() => {
    for (const t of segment.takes) void generateStore.loadTakeInfo(t.path);
  }, [segment.takes]);
  const keptQa = kept ? qa[kept.path] : undefined;
  const stale = kept?.stale ?? false;
  const pick = (slot: 0 | 1, path: string) => generateStore.patch({ compare: { ...generateStore.getState().compare, [segment.id]: slot === 0 ? [path, compare[1]] : [compare[0], path] } });
  return (
    <Box sx={{ borderLeft: `4px solid ${segment.colour}`, pl: 1, py: 0.5 }} data-testid={`generate-segment-${index + 1}`}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="subtitle2" sx={{ minWidth: 120 }}>
          Segment {index + 1} · {(segment.startFrame / fps).toFixed(1)} s
        </Typography>
        {stale && <Chip size="small" color="warning" label="stale: earlier segment changed" data-testid="segment-stale" />}
        {keptQa && (
          <Tooltip title={keptQa.warnings.join('; ') || 'Seam flicker (jump across the seam vs. usual frame change), similarity to the reference on the subject (SSIM) and beat alignment (BAS) beside what random beats score'}>
            <Stack direction="row" spacing={0.5} data-testid="segment-qa">
              <Chip size="small" color={keptQa.flickerRatio !== null && keptQa.flickerRatio > SEAM_FLICKER_WARN_RATIO ? 'warning' : 'default'} label={`seam ${keptQa.flickerRatio === null ? '–' : fmt(keptQa.flickerRatio, 1) + '×'}`} />
              <Chip size="small" color={keptQa.ssimMean < SEAM_SSIM_DRIFT_WARN ? 'warning' : 'default'} label={identityLabel(keptQa)} />
              {beatsLabel(keptQa) && <Chip size="small" label={beatsLabel(keptQa)} data-testid="segment-beats" />}
            </Stack>
          </Tooltip>
        )}
        <Box sx={{ flex: 1 }} />
        <Button size="small" disabled={!!running || segment.takes.length === 0} onClick={() => generateStore.enqueue([{ segmentIndex: index, kind: 'reroll' }])} data-testid="segment-reroll">
          Re-roll
        </Button>
      </Stack>
      <Stack direction="row" spacing={0.5} sx={{ mt: 0.5, flexWrap: 'wrap', alignItems: 'center' }}>
        {segment.takes.map((t, k) => (
          <Chip
            key={t.id}
            size="small"
            variant={t.id === kept?.id ? 'filled' : 'outlined'}
            color={t.id === kept?.id ? 'primary' : 'default'}
            label={`take ${k + 1}${t.stale ? ' (stale)' : ''}`}
            onClick={() => keep(segment.id, t.id)}
            onDelete={() => pick(compare[0] === null ? 0 : 1, t.path)}
            deleteIcon={<span title="Add to A/B compare">A/B</span>}
            data-testid={`take-chip-${k + 1}`}
          />
        ))}
      </Stack>
      {(compare[0] || compare[1]) && (
        <Stack direction="row" spacing={1} sx={{ mt: 1 }} data-testid="ab-compare">
          {compare.map((p, slot) => (
            <Box key={slot} sx={{ textAlign: 'center' }}>
              <Typography variant="caption">{slot === 0 ? 'A' : 'B'}</Typography>
              {p ? <video src={studio.mediaUrl('project', `${p}/take.mp4`)} width={160} height={160} controls loop style={{ imageRendering: 'pixelated', display: 'block' }} /> : <Box sx={{ width: 160, height: 160, bgcolor: 'action.hover' }} />}
              {p && (
                <Button size="small" onClick={() => { const t = segment.takes.find((x) => x.path === p); if (t) keep(segment.id, t.id); }}>
                  Keep {slot === 0 ? 'A' : 'B'}
                </Button>
              )}
            </Box>
          ))}
        </Stack>
      )}
    </Box>
  );
}

export function SegmentTakes() {
  const segments = useProjectState((s) => s.project?.segments ?? []);
  const fps = useProjectState((s) => s.project?.fps ?? 12);
  const ordered = [...segments].sort((a, b) => a.startFrame - b.startFrame);
  if (!ordered.length) return <Typography variant="body2" color="text.secondary">No segments yet: Generate creates the first one.</Typography>;
  return (
    <Stack spacing={1} data-testid="generate-segments">
      {ordered.map((s, i) => (
        <SegmentRow key={s.id} segment={s} index={i} fps={fps} />
      ))}
    </Stack>
  );
}

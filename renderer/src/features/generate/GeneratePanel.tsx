import { useEffect, useRef } from 'react';
import { Alert, Box, Button, LinearProgress, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { actions } from '../../actions/registry';
import { useStudio } from '../../bridge/index';
import { projectStore, useProjectState } from '../../state/project-store';
import { generateStore, keptTake, PRESET_STEPS, useGenerateState, type Preset } from '../../state/generate-store';
import { SegmentTakes } from './SegmentTakes';
import { nextIndex, remainingSegments } from './actions/index';
import { ExportDialog } from './ExportDialog';
import { exportDialog } from '../../state/export-choices';
import { OWN_WEIGHTS_HINT, packBadge } from '../../shared/pack-badge';

const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MB`;

/** Pack, sampler settings, queue with progress/ETA/cancel, live preview, segments with takes, player and export. */
export function GeneratePanel() {
  const studio = useStudio();
  const s = useGenerateState((st) => st);
  const project = useProjectState((st) => st.project);
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => generateStore.connect(studio, projectStore), [studio]);
  useEffect(() => {
    void generateStore.refreshEstimate();
  }, [s.settings.packId, s.settings.steps]);

  const ordered = [...(project?.segments ?? [])].sort((a, b) => a.startFrame - b.startFrame);
  const next = nextIndex(ordered);
  const remaining = remainingSegments(ordered);
  const runAction = (id: string) => void actions.run(id, { studio, store: projectStore });
  const pack = generateStore.pack();
  const busy = !!s.running;
  const lastKept = [...ordered].reverse().map(keptTake).find(Boolean);
  const playerSrc = lastKept ? s.previewVideos[lastKept.path] ?? `${lastKept.path}/take.mp4` : null;
  const setPreset = (preset: Preset) => generateStore.setSettings({ preset, steps: PRESET_STEPS[preset] });

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="generate-panel">
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="h6" sx={{ mr: 1 }}>
            Generate
          </Typography>
          <TextField select size="small" label="Model pack" value={s.settings.packId ?? ''} onChange={(e) => generateStore.setSettings({ packId: e.target.value })} sx={{ minWidth: 180 }} slotProps={{ htmlInput: { 'data-testid': 'generate-pack' } }}>
            {s.packs.map((p) => (
              <MenuItem key={p.id} value={p.id} disabled={!!p.problem}>
                {p.name} {p.problem ? `(unusable: ${p.problem.code})` : `${p.width}×${p.height}${packBadge(p).demo ? ' · demo model trained on synthetic figures' : ''}`}
              </MenuItem>
            ))}
          </TextField>
          <TextField select size="small" label="Quality" value={s.settings.preset} onChange={(e) => setPreset(e.target.value as Preset)} sx={{ width: 170 }}>
            <MenuItem value="draft">Draft (8 steps)</MenuItem>
            <MenuItem value="standard">Standard (20)</MenuItem>
            <MenuItem value="high">High (40)</MenuItem>
            <MenuItem value="custom" disabled>
              Custom
            </MenuItem>
          </TextField>
          <TextField size="small" type="number" label="Steps" value={s.settings.steps} onChange={(e) => generateStore.setSettings({ steps: Math.max(1, Math.min(200, Math.round(Number(e.target.value) || 1))), preset: 'custom' })} sx={{ width: 90 }} slotProps={{ htmlInput: { min: 1, max: 200, 'data-testid': 'generate-steps' } }} />
          <TextField size="small" type="number" label="Guidance" value={s.settings.guidance} onChange={(e) => generateStore.setSettings({ guidance: Math.max(0, Math.min(30, Number(e.target.value) || 0)) })} sx={{ width: 100 }} slotProps={{ htmlInput: { step: 0.5, min: 0, max: 30, 'data-testid': 'generate-guidance' } }} />
          <TextField size="small" type="number" label="Seed offset" title="Added to every segment's own seed (each segment row shows its seed): change it to re-roll the whole song reproducibly" value={s.settings.seedOffset} onChange={(e) => generateStore.setSettings({ seedOffset: Math.max(0, Math.round(Number(e.target.value) || 0)) })} sx={{ width: 120 }} slotProps={{ htmlInput: { min: 0, 'data-testid': 'generate-seed' } }} />
        </Stack>
        {pack && (
          <Alert severity={packBadge(pack).demo ? 'warning' : 'info'} sx={{ py: 0 }} data-testid="pack-badge">
            {packBadge(pack).label}
            {packBadge(pack).demo ? ` · to make real videos, use your own weights: ${OWN_WEIGHTS_HINT}.` : ''}
          </Alert>
        )}
        <TextField size="small" label="Default prompt (for segments without their own prompt)" helperText="A segment's own prompt (timeline → segment inspector) wins; this one is used where that is empty." value={s.settings.prompt} onChange={(e) => generateStore.setSettings({ prompt: e.target.value.slice(0, 1000) })} slotProps={{ htmlInput: { 'data-testid': 'generate-prompt' } }} />
        <Typography variant="body2" color="text.secondary" data-testid="generate-provider">
          {s.provider ? `${s.provider.selected === 'cuda' ? 'GPU (CUDA)' : 'CPU'} — ${s.provider.reason}` : 'Checking ONNX Runtime…'}
          {s.estimate && ` · ~${Math.ceil(s.estimate.secondsPerSegment)} s per segment (${s.estimate.measured ? 'measured' : 'estimated'}), ~${mb(s.estimate.memoryBytes)} memory`}
        </Typography>
        {!pack && s.packs.length > 0 && <Alert severity="warning">No usable model pack: {s.packs.map((p) => `${p.id}: ${p.problem?.message}`).join('; ')}</Alert>}
        <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
          <Button variant="contained" disabled={!pack || !project || remaining === 0} onClick={() => runAction('generate.renderSong')} data-testid="generate-all" title="Queue every segment of the timeline that has no take yet (Ctrl+Shift+G)">
            {`Generate all remaining (${remaining})`}
          </Button>
          <Button variant="outlined" disabled={!pack || !project || (ordered.length > 0 && next >= ordered.length)} onClick={() => runAction('generate.next')} data-testid="generate-extend" title="Queue the next segment, continuing from the last frames of the one before (Ctrl+G); the last segment ends with the song">
            {next === 0 ? 'Generate first segment' : next >= ordered.length ? 'Extend (the song is covered)' : `Extend (segment ${next + 1})`}
          </Button>
          <Button variant="outlined" disabled={!project || busy} onClick={() => exportDialog.open()} data-testid="generate-export" title="Size, aspect, range and where to save (Ctrl+Shift+E)">
            {s.exporting ? 'Exporting…' : 'Export video…'}
          </Button>
          <Button color="error" disabled={!busy && !s.queue.length} onClick={() => void generateStore.cancelAll()} data-testid="generate-cancel">
            Cancel
          </Button>
          {remaining === 0 && (
            <Typography variant="body2" color="text.secondary" sx={{ alignSelf: 'center' }} data-testid="generate-status">
              {ordered.length ? 'Every segment has a take: re-roll one, or export.' : 'Import a song: the timeline lays out its segments.'}
            </Typography>
          )}
        </Stack>
        {(s.running || s.queue.length > 0) && (
          <Box data-testid="generate-progress">
            <Typography variant="body2">
              {s.running ? `Segment ${s.running.segmentIndex + 1} (${s.running.kind}): ${s.running.message}${s.running.etaSec !== null ? ` · ~${Math.ceil(s.running.etaSec)} s left` : ''}` : 'Waiting'}
              {s.queue.length > 0 && ` · ${s.queue.length} queued`}
            </Typography>
            <LinearProgress variant={s.running?.fraction == null ? 'indeterminate' : 'determinate'} value={(s.running?.fraction ?? 0) * 100} />
            <Stack direction="row" spacing={0.5} sx={{ mt: 0.5 }} data-testid="generate-queue">
              {s.queue.map((q) => (
                <Button key={q.id} size="small" onClick={() => generateStore.removeQueued(q.id)} title="Remove from queue">
                  #{q.segmentIndex + 1} {q.kind} ✕
                </Button>
              ))}
            </Stack>
          </Box>
        )}
        <Stack direction="row" spacing={2} sx={{ alignItems: 'flex-start' }}>
          <Box sx={{ textAlign: 'center' }}>
            <Typography variant="caption">Live preview</Typography>
            {s.preview ? (
              <img src={s.preview.src} width={128} height={128} alt={`step ${s.preview.step}`} style={{ imageRendering: 'pixelated', display: 'block' }} data-testid="generate-preview" data-step={s.preview.step} />
            ) : (
              <Box sx={{ width: 128, height: 128, bgcolor: 'action.hover' }} />
            )}
            {s.preview && <Typography variant="caption">{`step ${s.preview.step}/${s.preview.totalSteps} (${s.preview.kind})`}</Typography>}
          </Box>
          <Box sx={{ textAlign: 'center' }}>
            <Typography variant="caption">Latest kept take, with its music</Typography>
            {playerSrc ? <video ref={videoRef} src={studio.mediaUrl('project', playerSrc)} width={192} height={192} controls style={{ imageRendering: 'pixelated', display: 'block' }} data-testid="generate-player" /> : <Box sx={{ width: 192, height: 192, bgcolor: 'action.hover' }} />}
          </Box>
          {s.lastExport && (
            <Typography variant="body2" data-testid="generate-exported">
              Exported {s.lastExport.frames} frames ({s.lastExport.durationSec.toFixed(1)} s) to {s.lastExport.path}
            </Typography>
          )}
        </Stack>
        <SegmentTakes />
        <ExportDialog />
      </Stack>
    </Paper>
  );
}

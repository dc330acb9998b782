import { Alert, Box, Button, Chip, LinearProgress, Paper, Stack, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { LossChart } from './LossChart';
import { cancelRun, exportPack, pauseRun, resumeRun } from './run-commands';
import { SampleGallery } from './SampleGallery';
import { useTraining } from './training-store';

const ACTIVE = ['starting', 'training', 'paused', 'resuming'];
const eta = (sec: number | null) => (sec === null ? '—' : sec < 90 ? `${Math.round(sec)} s` : sec < 5400 ? `${Math.round(sec / 60)} min` : `${(sec / 3600).toFixed(1)} h`);

export function RunMonitor() {
  const studio = useStudio();
  const followed = useTraining((s) => s.followed);
  const log = useTraining((s) => s.log);
  const busy = useTraining((s) => s.busy);
  if (!followed) return <Typography color="text.secondary">Start a run, or pick one from the history, to follow it here.</Typography>;
  const s = followed.state;
  const active = ACTIVE.includes(s.status);
  const fraction = s.totalSteps > 0 ? Math.min(1, s.step / s.totalSteps) : 0;
  const lastLoss = followed.losses.at(-1);
  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label="Run monitor">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <Typography variant="h6">{s.name}</Typography>
        <Chip label={s.status} data-testid="run-status" color={s.status === 'failed' ? 'error' : s.status === 'completed' ? 'success' : 'primary'} size="small" />
        <Typography variant="body2" data-testid="run-step">
          stage {s.stage} · step {s.step} / {s.totalSteps}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          ETA {eta(s.etaSec)} {s.stepsPerSec ? `· ${s.stepsPerSec.toFixed(2)} steps/s` : ''} {lastLoss ? `· loss ${lastLoss.loss.toFixed(4)}` : ''}
          {s.autoResumes ? ` · recovered ${s.autoResumes}×` : ''}
        </Typography>
        <Box sx={{ flex: 1 }} />
        {s.status === 'training' && <Button onClick={() => void pauseRun(studio)}>Pause</Button>}
        {(s.status === 'paused' || s.status === 'interrupted' || s.status === 'cancelled') && <Button onClick={() => void resumeRun(studio)}>Resume</Button>}
        {active && (
          <Button color="error" onClick={() => void cancelRun(studio)}>
            Cancel run
          </Button>
        )}
        {!active && s.lastCheckpoint && (
          <Button variant="outlined" disabled={!!busy} onClick={() => void exportPack(studio)}>
            Export run as pack
          </Button>
        )}
      </Stack>
      <LinearProgress variant="determinate" value={fraction * 100} aria-label="Training progress" sx={{ mb: 1 }} />
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
        {s.message}
        {s.estimate ? ` · ${s.estimate.summary}` : ''}
        {s.exportedPack ? ` · pack: ${s.exportedPack}` : ''}
      </Typography>
      {s.status === 'failed' && <Alert severity="error">{s.message}</Alert>}
      <LossChart losses={followed.losses} />
      <SampleGallery samples={followed.samples} mediaRoot={followed.mediaRoot} />
      {log.length > 0 && (
        <Box component="ul" sx={{ m: 0, mt: 1, pl: 2, maxHeight: 120, overflow: 'auto', fontSize: 12 }} aria-label="Run log">
          {log.slice(-8).map((l, i) => (
            <li key={i} style={{ color: l.level === 'error' ? '#f44336' : l.level === 'warning' ? '#ff9800' : undefined }}>
              {l.message}
            </li>
          ))}
        </Box>
      )}
    </Paper>
  );
}

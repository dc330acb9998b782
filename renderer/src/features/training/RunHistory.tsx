import { Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { trainingStore, useTraining } from './training-store';

const color = (s: string) => (s === 'completed' ? 'success' : s === 'failed' ? 'error' : s === 'training' || s === 'resuming' ? 'primary' : 'default');

export function RunHistory() {
  const studio = useStudio();
  const runs = useTraining((s) => s.runs);
  const followed = useTraining((s) => s.followed?.runId ?? null);
  if (runs.length === 0) return <Typography color="text.secondary">No training runs yet.</Typography>;
  return (
    <Table size="small" aria-label="Run history">
      <TableHead>
        <TableRow>
          <TableCell>Run</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Step</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>Pack</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {runs.map((r) => (
          <TableRow key={r.runDir} hover selected={r.runId === followed} sx={{ cursor: 'pointer' }} onClick={() => void trainingStore.openRun(studio, r.runDir)} data-testid="run-history-row">
            <TableCell>{r.name}</TableCell>
            <TableCell>
              <Chip size="small" label={r.status} color={color(r.status)} />
            </TableCell>
            <TableCell>
              {r.step}/{r.totalSteps} (stage {r.stage})
            </TableCell>
            <TableCell>{new Date(r.startedAt).toLocaleString()}</TableCell>
            <TableCell>{r.exportedPack ? r.exportedPack.split(/[\\/]/).pop() : '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

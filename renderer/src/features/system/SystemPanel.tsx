import { useEffect } from 'react';
import { Alert, Box, Button, Chip, LinearProgress, Paper, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { doctorStore, useDoctor } from './doctor-store';

const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;

export function SystemPanel() {
  const studio = useStudio();
  const { status, report } = useDoctor();
  useEffect(() => {
    if (doctorStore.getState().status === 'idle') void doctorStore.run(studio);
  }, [studio]);

  const ok = (v: boolean) => <Chip size="small" color={v ? 'success' : 'error'} label={v ? 'OK' : 'Problem'} />;
  return (
    <Box sx={{ p: 3, maxWidth: 1000 }} aria-label="System panel">
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: "center" }}>
        <Typography variant="h5">System</Typography>
        <Button variant="outlined" onClick={() => void doctorStore.run(studio)} disabled={status === 'running'}>
          Check again
        </Button>
      </Stack>
      {status === 'running' && <LinearProgress aria-label="Checking the system" sx={{ mb: 2 }} />}
      {report && (
        <Paper variant="outlined">
          {!report.onnxruntime.providers.includes('cuda') && (
            <Alert severity="info" data-testid="provider-reason">
              {report.onnxruntime.selectedReason}
            </Alert>
          )}
          <Table size="small">
            <TableBody>
              <TableRow data-testid="doctor-ffmpeg">
                <TableCell>ffmpeg</TableCell>
                <TableCell>{ok(report.ffmpeg.found)}</TableCell>
                <TableCell>{report.ffmpeg.version ?? report.ffmpeg.error}</TableCell>
              </TableRow>
              <TableRow data-testid="doctor-ffprobe">
                <TableCell>ffprobe</TableCell>
                <TableCell>{ok(report.ffprobe.found)}</TableCell>
                <TableCell>{report.ffprobe.version ?? report.ffprobe.error}</TableCell>
              </TableRow>
              <TableRow data-testid="doctor-onnxruntime">
                <TableCell>ONNX Runtime</TableCell>
                <TableCell>{ok(report.onnxruntime.providers.length > 0)}</TableCell>
                <TableCell>
                  {report.onnxruntime.version} · providers: <span data-testid="doctor-providers">{report.onnxruntime.providers.join(', ') || 'none'}</span> · using{' '}
                  {report.onnxruntime.selected.toUpperCase()}
                </TableCell>
              </TableRow>
              <TableRow data-testid="doctor-python">
                <TableCell>Python (training)</TableCell>
                <TableCell>{ok(!!report.python.torch)}</TableCell>
                <TableCell>
                  {report.python.path} {report.python.version} · torch {report.python.torch ?? report.python.error}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>Disk</TableCell>
                <TableCell />
                <TableCell>
                  {gb(report.disk.freeBytes)} free of {gb(report.disk.totalBytes)}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>Memory</TableCell>
                <TableCell />
                <TableCell>
                  {gb(report.memory.freeBytes)} free of {gb(report.memory.totalBytes)} · {report.platform.cpus} CPUs · node {report.platform.node}
                </TableCell>
              </TableRow>
            </TableBody>
          </Table>
        </Paper>
      )}
    </Box>
  );
}

import { useEffect } from 'react';
import { Box, Paper, Typography } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { DatasetPanel } from './DatasetPanel';
import { PackBuildPanel } from './PackBuildPanel';
import { RunHistory } from './RunHistory';
import { RunMonitor } from './RunMonitor';
import { RunSpecForm } from './RunSpecForm';
import { trainingStore } from './training-store';

/** The Training screen: dataset on the left, run set-up, live monitor and history on the right. */
export function TrainingView() {
  const studio = useStudio();
  useEffect(() => {
    trainingStore.connect(studio);
    void trainingStore.refreshRuns(studio);
  }, [studio]);
  return (
    <Box sx={{ p: 2, display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', lg: 'minmax(0, 1.1fr) minmax(0, 1fr)' }, alignItems: 'start' }} aria-label="Training">
      <DatasetPanel />
      <Box sx={{ display: 'grid', gap: 2 }}>
        <RunSpecForm />
        <RunMonitor />
        <PackBuildPanel />
        <Paper variant="outlined" sx={{ p: 2 }}>
          <Typography variant="h6" gutterBottom>
            Run history
          </Typography>
          <RunHistory />
        </Paper>
      </Box>
    </Box>
  );
}

import { useState } from 'react';
import { Box, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { useStudio } from '../bridge/index';
import { projectStore, useProjectState } from '../state/project-store';
import { unwrap } from '../state/notifications';
import { studioPanels } from './studio-panels';

/** The main screen: an empty state until a project is open, then the studio panels. */
export function StudioView() {
  const project = useProjectState((s) => s.project);
  if (!project) return <EmptyState />;
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      {studioPanels.map(({ id, component: Panel }) => (
        <Panel key={id} />
      ))}
    </Stack>
  );
}

function EmptyState() {
  const studio = useStudio();
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState(false);
  const open = async (create: boolean) => {
    setBusy(true);
    const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? 'Untitled';
    const result = create ? await studio.verbs.project.new({ dir, name }) : await studio.verbs.project.open({ dir });
    setBusy(false);
    const value = unwrap(result);
    if (value) projectStore.load(value.dir, value.project);
  };
  return (
    <Box sx={{ display: 'grid', placeItems: 'center', minHeight: 'calc(100vh - 64px)', p: 3 }} data-testid="empty-state">
      <Paper variant="outlined" sx={{ p: 5, maxWidth: 640, textAlign: 'center', borderStyle: 'dashed', borderWidth: 2 }}>
        <Typography variant="h4" gutterBottom>
          Drop an image and a song to start
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 3 }}>
          MuseDance makes your image dance on the beat. Create or open a project folder, then drop a reference image and a song onto this
          window.
        </Typography>
        <Stack direction="row" spacing={1}>
          <TextField size="small" fullWidth label="Project folder" placeholder="/home/me/MuseDance/my-dance" value={dir} onChange={(e) => setDir(e.target.value)} />
          <Button variant="contained" disabled={!dir || busy} onClick={() => void open(true)}>
            New
          </Button>
          <Button variant="outlined" disabled={!dir || busy} onClick={() => void open(false)}>
            Open
          </Button>
        </Stack>
      </Paper>
    </Box>
  );
}

import { useEffect, useState } from 'react';
import { Alert, Box, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { importFiles } from '../features/media/index';
import { filePicker } from '../state/file-picker';
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

/** A project folder name from a dropped file: its name without the extension, in plain characters. */
const folderNameFor = (fileName: string) => fileName.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9 _-]+/g, '-').trim().slice(0, 60) || 'my-dance';

/**
 * Nothing open: create or open a project folder (typed, browsed with the file picker, or from the recent list),
 * or drop an image and a song here: that makes a new project for them and imports them (issue 23 #3).
 */
function EmptyState() {
  const studio = useStudio();
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<{ dir: string; name: string }[]>([]);
  const [dropped, setDropped] = useState<File[] | null>(null);

  useEffect(() => {
    void studio.verbs.project.recent({}).then((r) => r.ok && setRecent(r.value.projects.slice(0, 5).map((p) => ({ dir: p.dir, name: p.name }))));
  }, [studio]);

  useEffect(() => {
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      setDropped(files);
      void studio.verbs.files.list({}).then((r) => {
        if (r.ok) setDir((d) => d || `${r.value.roots[0]!.path.replace(/[\\/]+$/, '')}/MuseDance/${folderNameFor(files[0]!.name)}`);
      });
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [studio]);

  const open = async (create: boolean, target = dir) => {
    setBusy(true);
    const name = target.split(/[\\/]/).filter(Boolean).pop() ?? 'Untitled';
    const result = create ? await studio.verbs.project.new({ dir: target, name }) : await studio.verbs.project.open({ dir: target });
    setBusy(false);
    const value = unwrap(result);
    if (!value) return;
    projectStore.load(value.dir, value.project);
    const files = dropped;
    setDropped(null);
    if (files?.length) await importFiles(studio, projectStore, files);
  };
  const browse = async () => {
    const picked = await filePicker.ask({ mode: 'folder', title: 'Choose a project folder (an empty one for a new project)' });
    if (picked) setDir(picked);
  };
  return (
    <Box sx={{ display: 'grid', placeItems: 'center', minHeight: 'calc(100vh - 64px)', p: 3 }} data-testid="empty-state">
      <Paper variant="outlined" sx={{ p: 5, maxWidth: 680, textAlign: 'center', borderStyle: 'dashed', borderWidth: 2 }}>
        <Typography variant="h4" gutterBottom>
          Drop an image and a song to start
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 3 }}>
          MuseDance makes your image dance on the beat. Drop a reference image and a song here (a new project is made for them), or create or
          open a project folder.
        </Typography>
        {dropped && (
          <Alert severity="info" sx={{ mb: 2, textAlign: 'left' }} data-testid="empty-dropped">
            {dropped.map((f) => f.name).join(' and ')} will be imported into a new project in the folder below. Press Create to start.
          </Alert>
        )}
        <Stack direction="row" spacing={1}>
          <TextField size="small" fullWidth label="Project folder" placeholder="/home/me/MuseDance/my-dance" value={dir} onChange={(e) => setDir(e.target.value)} />
          <Button onClick={() => void browse()} disabled={busy} data-testid="empty-browse">
            Browse…
          </Button>
          <Button variant="contained" disabled={!dir || busy} onClick={() => void open(true)}>
            {dropped ? 'Create' : 'New'}
          </Button>
          <Button variant="outlined" disabled={!dir || busy} onClick={() => void open(false)}>
            Open
          </Button>
        </Stack>
        {recent.length > 0 && (
          <Box sx={{ mt: 3, textAlign: 'left' }} data-testid="empty-recent">
            <Typography variant="overline">Recent projects</Typography>
            <Stack spacing={0.5}>
              {recent.map((r) => (
                <Button key={r.dir} size="small" sx={{ justifyContent: 'flex-start', textTransform: 'none' }} disabled={busy} onClick={() => void open(false, r.dir)} title={r.dir}>
                  {r.name} — {r.dir}
                </Button>
              ))}
            </Stack>
          </Box>
        )}
      </Paper>
    </Box>
  );
}

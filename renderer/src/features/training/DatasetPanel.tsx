import { useEffect, useState, type DragEvent } from 'react';
import { Alert, Box, Button, LinearProgress, MenuItem, Paper, Stack, TextField, Typography } from '@mui/material';
import { newJobId, useStudio } from '../../bridge/index';
import { notify, unwrap } from '../../state/notifications';
import { ClipDetails } from './ClipDetails';
import { ClipTable } from './ClipTable';
import { trainingStore, useTraining } from './training-store';
import { uploadFile } from './upload-files';

const parseCrop = (text: string) => {
  if (!text.trim()) return { crop: undefined };
  const n = text.split(',').map((s) => Number(s.trim()));
  if (n.length !== 4 || n.some((v) => !Number.isInteger(v) || v < 0)) return { problem: 'Crop is x,y,width,height in the source video’s pixels.' };
  return { crop: { x: n[0]!, y: n[1]!, width: n[2]!, height: n[3]! } };
};

export function DatasetPanel() {
  const studio = useStudio();
  const dataset = useTraining((s) => s.dataset);
  const [dir, setDir] = useState('');
  const [config, setConfig] = useState<'tiny' | 'sd15'>('tiny');
  const [paths, setPaths] = useState('');
  const [crop, setCrop] = useState('');
  const [job, setJob] = useState<{ id: string; fraction: number | null; message: string } | null>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(
    () =>
      studio.on('job.progress', (p) => {
        setJob((j) => (j && j.id === p.jobId ? { ...j, fraction: p.fraction, message: p.message } : j));
      }),
    [studio],
  );

  const open = async (create: boolean) => {
    const r = unwrap(create ? await studio.verbs.training.datasetCreate({ dir, config }) : await studio.verbs.training.datasetOpen({ dir }));
    if (r) trainingStore.setDataset(r);
  };

  const addPaths = async (list: string[]) => {
    if (!dataset || list.length === 0) return;
    const c = parseCrop(crop);
    if ('problem' in c) return notify('warning', c.problem!);
    const id = newJobId('clips');
    setJob({ id, fraction: 0, message: `Preparing ${list.length} clip(s)` });
    const r = unwrap(await studio.verbs.training.datasetAddClips({ dir: dataset.dir, paths: list, crop: c.crop }, { jobId: id }));
    setJob(null);
    if (!r) return;
    trainingStore.setDataset(r.dataset);
    for (const x of r.results) if (x.error) notify('warning', x.error.message, x.error.code);
    const ok = r.results.filter((x) => x.clip?.status === 'ready').length;
    if (ok) notify('success', `${ok} clip(s) added.`);
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (!dataset) return notify('warning', 'Create or open a dataset before adding clips.');
    const files = [...e.dataTransfer.files];
    const uploaded: string[] = [];
    for (const [i, file] of files.entries()) {
      setJob({ id: 'upload', fraction: i / files.length, message: `Receiving ${file.name}` });
      const r = await uploadFile(studio, dataset.dir, file, (f) => setJob({ id: 'upload', fraction: (i + f) / files.length, message: `Receiving ${file.name}` }));
      const value = unwrap(r);
      if (value) uploaded.push(value);
    }
    setJob(null);
    await addPaths(uploaded);
  };

  return (
    <Paper variant="outlined" sx={{ p: 2 }} aria-label="Dataset">
      <Typography variant="h6" gutterBottom>
        Dataset
      </Typography>
      <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
        <TextField size="small" fullWidth label="Dataset folder" placeholder="/home/me/MuseDance/datasets/my-dances" value={dir} onChange={(e) => setDir(e.target.value)} />
        <TextField select size="small" label="Model" value={config} onChange={(e) => setConfig(e.target.value as 'tiny' | 'sd15')} sx={{ width: 130, flexShrink: 0 }}>
          <MenuItem value="tiny">tiny</MenuItem>
          <MenuItem value="sd15">sd15</MenuItem>
        </TextField>
        <Button variant="contained" disabled={!dir} onClick={() => void open(true)}>
          New
        </Button>
        <Button variant="outlined" disabled={!dir} onClick={() => void open(false)}>
          Open
        </Button>
      </Stack>
      {dataset && (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid="dataset-summary">
            {dataset.dir} · {dataset.geometry.width}×{dataset.geometry.height} at {dataset.geometry.fps} fps · windows of {dataset.geometry.framesPerSegment}+{dataset.geometry.motionFrames} frames ·{' '}
            {dataset.trainWindows} training window(s)
          </Typography>
          <Box
            data-testid="clip-drop-zone"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => void onDrop(e)}
            sx={{ border: '2px dashed', borderColor: dragging ? 'primary.main' : 'divider', borderRadius: 1, p: 2, textAlign: 'center', mb: 1 }}
          >
            <Typography>Drop video clips with music here</Typography>
            <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
              <TextField size="small" fullWidth label="…or clip paths (one per line)" multiline maxRows={4} value={paths} onChange={(e) => setPaths(e.target.value)} />
              <TextField size="small" label="Crop x,y,w,h" value={crop} onChange={(e) => setCrop(e.target.value)} sx={{ width: 150 }} />
              <Button
                variant="outlined"
                disabled={!paths.trim() || !!job}
                onClick={() => {
                  const list = paths.split('\n').map((p) => p.trim()).filter(Boolean);
                  setPaths('');
                  void addPaths(list);
                }}
              >
                Add
              </Button>
            </Stack>
          </Box>
          {job && (
            <Box sx={{ mb: 1 }}>
              <LinearProgress variant={job.fraction === null ? 'indeterminate' : 'determinate'} value={(job.fraction ?? 0) * 100} aria-label="Clip preparation progress" />
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="caption">{job.message}</Typography>
                {job.id !== 'upload' && (
                  <Button size="small" onClick={() => void studio.verbs.jobs.cancel({ jobId: job.id })}>
                    Cancel
                  </Button>
                )}
              </Stack>
            </Box>
          )}
          {dataset.clips.some((c) => c.status === 'rejected') && (
            <Alert severity="warning" sx={{ mb: 1 }}>
              Some clips cannot be used; their rows say why. Remove them or fix the source and add it again.
            </Alert>
          )}
          <ClipTable />
          <ClipDetails />
        </>
      )}
    </Paper>
  );
}

import { useState } from 'react';
import { Box, Button, Chip, Paper, Stack, TextField, Typography } from '@mui/material';
import { newJobId, useStudio } from '../../bridge/index';
import { notify, unwrap } from '../../state/notifications';
import { trainingStore, useTraining } from './training-store';

/** One nudge of every beat, in seconds. */
const NUDGE_SEC = 0.01;
const round3 = (t: number) => Math.round(t * 1000) / 1000;

/** Beats and crop of the one selected clip: a beat list (the timeline component is not used here yet). */
export function ClipDetails() {
  const studio = useStudio();
  const dataset = useTraining((s) => s.dataset);
  const selected = useTraining((s) => s.selectedClipIds);
  const [newBeat, setNewBeat] = useState('');
  const [crop, setCrop] = useState('');
  const clip = selected.length === 1 ? dataset?.clips.find((c) => c.id === selected[0]) : undefined;
  if (!dataset || !clip || clip.status !== 'ready') return null;
  const setBeats = (beats: number[], label: string) => void trainingStore.editClip(studio, clip, { beatTimesSec: beats.map(round3) }, label);
  const addBeat = () => {
    const t = Number(newBeat);
    if (!Number.isFinite(t) || t < 0 || t > clip.durationSec) return notify('warning', `A beat is a time in seconds between 0 and ${clip.durationSec.toFixed(2)}.`);
    setNewBeat('');
    setBeats([...clip.beatTimesSec, t], `Add beat at ${t.toFixed(2)} s`);
  };
  const applyCrop = async () => {
    const n = crop.split(',').map((s) => Number(s.trim()));
    const value = crop.trim() === '' ? null : n.length === 4 && n.every((v) => Number.isInteger(v) && v >= 0) ? { x: n[0]!, y: n[1]!, width: n[2]!, height: n[3]! } : undefined;
    if (value === undefined) return notify('warning', 'Crop is x,y,width,height in the source video’s pixels (empty = whole frame).');
    const r = unwrap(await studio.verbs.training.datasetUpdateClip({ dir: dataset.dir, clipId: clip.id, crop: value }, { jobId: newJobId('crop') }));
    if (r) trainingStore.setDataset(r.dataset);
  };
  return (
    <Paper variant="outlined" sx={{ p: 1.5, mt: 1 }} aria-label="Clip beats">
      <Typography variant="subtitle2">
        {clip.sourceName}: {clip.beatTimesSec.length} beats ({clip.tempoBpm.toFixed(1)} BPM detected{clip.beatsEdited ? ', edited' : ''}), motion {clip.motionScore}, {clip.frameCount} frames
        {clip.droppedFrames ? `, last ${clip.droppedFrames} frames unused` : ''}
      </Typography>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, my: 1, maxHeight: 120, overflow: 'auto' }} data-testid="beat-list">
        {clip.beatTimesSec.map((t, i) => (
          <Chip key={`${t}-${i}`} size="small" label={`${t.toFixed(2)} s`} onDelete={() => setBeats(clip.beatTimesSec.filter((_, j) => j !== i), `Remove beat at ${t.toFixed(2)} s`)} />
        ))}
      </Box>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <TextField size="small" label="Add beat (s)" value={newBeat} onChange={(e) => setNewBeat(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && addBeat()} sx={{ width: 130 }} />
        <Button size="small" onClick={addBeat}>
          Add beat
        </Button>
        <Button size="small" onClick={() => setBeats(clip.beatTimesSec.map((t) => Math.max(0, t - NUDGE_SEC)), 'Nudge beats earlier')}>
          All −10 ms
        </Button>
        <Button size="small" onClick={() => setBeats(clip.beatTimesSec.map((t) => t + NUDGE_SEC), 'Nudge beats later')}>
          All +10 ms
        </Button>
        <TextField size="small" label="Crop x,y,w,h" placeholder={clip.crop ? `${clip.crop.x},${clip.crop.y},${clip.crop.width},${clip.crop.height}` : 'whole frame'} value={crop} onChange={(e) => setCrop(e.target.value)} sx={{ width: 150 }} />
        <Button size="small" onClick={() => void applyCrop()}>
          Re-crop
        </Button>
      </Stack>
    </Paper>
  );
}

import { useState } from 'react';
import { Box, Button, Checkbox, Chip, IconButton, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Tooltip } from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import type { DatasetClip } from '@shared/domain/training';
import { useStudio } from '../../bridge/index';
import { unwrap } from '../../state/notifications';
import { trainingStore, useTraining } from './training-store';

/** Caption cell: edits locally, commits on Enter or when the field loses focus. */
function CaptionCell({ clip }: { clip: DatasetClip }) {
  const studio = useStudio();
  const [text, setText] = useState<string | null>(null);
  const commit = async () => {
    if (text === null || text === clip.caption) return setText(null);
    await trainingStore.editClip(studio, clip, { caption: text }, `Caption of ${clip.sourceName}`);
    setText(null);
  };
  return (
    <TextField
      size="small"
      fullWidth
      variant="standard"
      placeholder="describe the motion, e.g. bounces on every beat"
      value={text ?? clip.caption}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => void commit()}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        if (e.key === 'Escape') setText(null);
      }}
      slotProps={{ htmlInput: { 'aria-label': `Caption of ${clip.sourceName}`, maxLength: 500 } }}
    />
  );
}

function BulkCaption() {
  const studio = useStudio();
  const dataset = useTraining((s) => s.dataset);
  const selected = useTraining((s) => s.selectedClipIds);
  const [mode, setMode] = useState<'set' | 'append' | 'replace'>('set');
  const [text, setText] = useState('');
  const [find, setFind] = useState('');
  if (!dataset || selected.length === 0) return null;
  const apply = async () => {
    const r = unwrap(await studio.verbs.training.datasetBulkCaption({ dir: dataset.dir, clipIds: selected, mode, text, find: mode === 'replace' ? find : undefined }));
    if (r) trainingStore.setDataset(r);
  };
  return (
    <Stack direction="row" spacing={1} sx={{ my: 1, alignItems: 'center' }} aria-label="Bulk caption edit">
      <Box sx={{ whiteSpace: 'nowrap' }}>{selected.length} selected:</Box>
      <TextField select size="small" value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} sx={{ width: 150 }} label="Captions">
        <MenuItem value="set">Set to</MenuItem>
        <MenuItem value="append">Append</MenuItem>
        <MenuItem value="replace">Find & replace</MenuItem>
      </TextField>
      {mode === 'replace' && <TextField size="small" label="Find" value={find} onChange={(e) => setFind(e.target.value)} />}
      <TextField size="small" label={mode === 'replace' ? 'Replace with' : 'Text'} value={text} onChange={(e) => setText(e.target.value)} />
      <Button variant="outlined" onClick={() => void apply()} disabled={mode === 'replace' && !find}>
        Apply
      </Button>
    </Stack>
  );
}

export function ClipTable() {
  const studio = useStudio();
  const dataset = useTraining((s) => s.dataset);
  const selected = useTraining((s) => s.selectedClipIds);
  const [focused, setFocused] = useState<string | null>(null);
  if (!dataset) return null;
  const toggle = (id: string) => trainingStore.patch({ selectedClipIds: selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id] });
  const all = dataset.clips.length > 0 && selected.length === dataset.clips.length;
  const remove = async (clip: DatasetClip) => {
    const r = unwrap(await studio.verbs.training.datasetRemoveClip({ dir: dataset.dir, clipId: clip.id }));
    if (r) trainingStore.setDataset(r);
  };
  return (
    <>
      <BulkCaption />
      <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label="Clips" sx={{ tableLayout: 'fixed', minWidth: 520 }}>
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" sx={{ width: 48 }}>
              <Checkbox checked={all} indeterminate={selected.length > 0 && !all} onChange={() => trainingStore.patch({ selectedClipIds: all ? [] : dataset.clips.map((c) => c.id) })} slotProps={{ input: { 'aria-label': 'Select all clips' } }} />
            </TableCell>
            <TableCell sx={{ width: 190 }}>Clip</TableCell>
            <TableCell sx={{ width: 150 }}>Frames · beats</TableCell>
            <TableCell>Caption</TableCell>
            <TableCell sx={{ width: 48 }} />
          </TableRow>
        </TableHead>
        <TableBody>
          {dataset.clips.map((c) => (
            <TableRow key={c.id} data-testid="clip-row" selected={focused === c.id} onClick={() => setFocused(c.id)} hover>
              <TableCell padding="checkbox">
                <Checkbox checked={selected.includes(c.id)} onChange={() => toggle(c.id)} slotProps={{ input: { 'aria-label': `Select ${c.sourceName}` } }} />
              </TableCell>
              <TableCell>
                <Button size="small" onClick={() => trainingStore.patch({ selectedClipIds: [c.id] })} sx={{ textTransform: 'none', p: 0, minWidth: 0, display: 'block', maxWidth: 180, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  {c.sourceName}
                </Button>
                {c.status === 'ready' ? (
                  <Chip size="small" color="success" label="ready" />
                ) : (
                  <Tooltip title={c.problem?.message ?? ''}>
                    <Chip size="small" color="warning" label={c.problem?.message ?? 'rejected'} sx={{ maxWidth: 180 }} data-testid="clip-problem" />
                  </Tooltip>
                )}
              </TableCell>
              <TableCell sx={{ fontSize: 12 }}>
                {c.status === 'ready' ? (
                  <>
                    {c.durationSec.toFixed(1)} s · {c.windows.length} window{c.windows.length === 1 ? '' : 's'}
                    <br />
                    {c.beatTimesSec.length} beats · {c.tempoBpm.toFixed(0)} BPM{c.beatsEdited ? ' (edited)' : ''}
                  </>
                ) : (
                  '—'
                )}
              </TableCell>
              <TableCell>
                <CaptionCell clip={c} />
              </TableCell>
              <TableCell>
                <IconButton aria-label={`Remove ${c.sourceName}`} size="small" onClick={() => void remove(c)}>
                  <DeleteIcon fontSize="small" />
                </IconButton>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      </Box>
    </>
  );
}

/**
 * The browser host's file and folder picker (issue 23 #10): lists the user's folders through `files.list`
 * (only inside the roots the host allows), with the roots and recent places on the left, a path bar, and
 * double-click / Enter to go in. Answers the question in `state/file-picker` with absolute paths.
 */
import { useEffect, useState } from 'react';
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, List, ListItemButton, ListItemIcon, ListItemText, ListSubheader, Stack, TextField, Typography } from '@mui/material';
import FolderIcon from '@mui/icons-material/Folder';
import MovieIcon from '@mui/icons-material/MovieCreation';
import InsertDriveFileIcon from '@mui/icons-material/InsertDriveFile';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import type { ReplyOf } from '@shared/contract/index';
import { useStudio } from '../bridge/index';
import { recentPlaces, rememberPlace, usePickQuestion } from '../state/file-picker';

type Listing = ReplyOf<'files.list'>;

const joinPath = (dir: string, name: string) => `${dir.replace(/[\\/]+$/, '')}/${name}`;
const extOf = (name: string) => /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';
const sizeText = (bytes: number) => (bytes >= 1024 ** 2 ? `${(bytes / 1024 ** 2).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

export function FilePickerDialog() {
  const studio = useStudio();
  const question = usePickQuestion();
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState('');

  const go = async (dir?: string) => {
    const r = await studio.verbs.files.list(dir ? { dir } : {});
    if (!r.ok) {
      setError(r.error.message);
      if (!listing && dir) return go(undefined);
      return;
    }
    setError(null);
    setListing(r.value);
    setPicked([]);
  };

  useEffect(() => {
    if (!question) return;
    setListing(null);
    setName(question.suggestedName ?? '');
    void go(question.startDir ?? recentPlaces()[0]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [question]);

  if (!question) return null;
  const accepts = (file: string) => !question.extensions?.length || question.extensions.includes(extOf(file));
  const finish = (paths: string[]) => {
    if (listing) rememberPlace(listing.dir);
    question.answer(paths);
  };
  const choose = () => {
    if (!listing) return;
    if (question.mode === 'folder') return finish([picked[0] ?? listing.dir]);
    if (question.mode === 'save') return name.trim() ? finish([joinPath(listing.dir, name.trim())]) : undefined;
    if (picked.length) finish(picked);
  };
  const canChoose = !!listing && (question.mode === 'folder' || (question.mode === 'save' ? !!name.trim() : picked.length > 0));
  const places = [...(listing?.roots ?? []).map((r) => ({ label: r.label, path: r.path })), ...recentPlaces().map((p) => ({ label: p.split(/[\\/]/).filter(Boolean).pop() ?? p, path: p, recent: true }))];

  return (
    <Dialog open onClose={() => question.answer(null)} maxWidth="md" fullWidth data-testid="file-picker">
      <DialogTitle>{question.title}</DialogTitle>
      <DialogContent>
        <Stack direction="row" spacing={2} sx={{ height: 380 }}>
          <List dense sx={{ width: 190, flexShrink: 0, overflow: 'auto', borderRight: 1, borderColor: 'divider' }} aria-label="Places">
            <ListSubheader disableSticky>Places</ListSubheader>
            {places.map((p, i) => (
              <ListItemButton key={`${i}-${p.path}`} selected={listing?.dir === p.path} onClick={() => void go(p.path)} title={p.path} data-testid="picker-place">
                <ListItemText primary={p.label} secondary={'recent' in p ? 'recent' : 'shared folder'} slotProps={{ primary: { noWrap: true } }} />
              </ListItemButton>
            ))}
          </List>
          <Box sx={{ flexGrow: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
              <Button size="small" startIcon={<ArrowUpwardIcon />} disabled={!listing?.parent} onClick={() => listing?.parent && void go(listing.parent)}>
                Up
              </Button>
              <Typography variant="body2" noWrap title={listing?.dir} data-testid="picker-dir" sx={{ fontFamily: 'monospace' }}>
                {listing?.dir ?? 'Loading…'}
              </Typography>
            </Stack>
            {error && (
              <Alert severity="warning" sx={{ mb: 1 }}>
                {error}
              </Alert>
            )}
            <List dense sx={{ flexGrow: 1, overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 1 }} aria-label="Folder contents" data-testid="picker-list">
              {listing?.entries.length === 0 && <Typography sx={{ p: 2 }} color="text.secondary">This folder is empty.</Typography>}
              {listing?.entries.map((e) => {
                const folder = e.kind === 'folder';
                const usable = folder || (question.mode !== 'folder' && accepts(e.name));
                const selected = picked.includes(e.path);
                return (
                  <ListItemButton
                    key={e.path}
                    selected={selected}
                    disabled={!folder && !usable}
                    onClick={() => {
                      if (folder) return question.mode === 'folder' ? setPicked([e.path]) : void go(e.path);
                      if (question.mode === 'save') return setName(e.name);
                      setPicked(question.multiple ? (selected ? picked.filter((p) => p !== e.path) : [...picked, e.path]) : [e.path]);
                    }}
                    onDoubleClick={() => (folder ? void go(e.path) : question.mode === 'file' ? finish([e.path]) : undefined)}
                    data-testid="picker-entry"
                    data-name={e.name}
                  >
                    <ListItemIcon sx={{ minWidth: 32 }}>{folder ? <FolderIcon fontSize="small" color={e.isProject ? 'primary' : 'inherit'} /> : /^(mp4|webm|mov|mkv)$/.test(extOf(e.name)) ? <MovieIcon fontSize="small" /> : <InsertDriveFileIcon fontSize="small" />}</ListItemIcon>
                    <ListItemText primary={e.name} secondary={folder ? (e.isProject ? 'MuseDance project' : null) : sizeText(e.sizeBytes)} />
                  </ListItemButton>
                );
              })}
            </List>
            {listing?.truncated && <Typography variant="caption">Only the first entries are shown.</Typography>}
            {question.mode === 'save' && <TextField size="small" sx={{ mt: 1 }} label="File name" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'picker-name' } }} />}
          </Box>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Typography variant="caption" color="text.secondary" sx={{ mr: 'auto', pl: 2 }}>
          {question.mode === 'folder' ? 'Pick a folder (or Choose to use the one shown).' : question.mode === 'save' ? 'Pick the folder and type a name.' : question.multiple ? 'Click to select one or more files; double-click opens one.' : 'Double-click a file to open it.'}
        </Typography>
        <Button onClick={() => question.answer(null)}>Cancel</Button>
        <Button variant="contained" disabled={!canChoose} onClick={choose} data-testid="picker-choose">
          {question.mode === 'save' ? 'Save here' : question.mode === 'folder' ? 'Choose folder' : 'Open'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** The project dialogs: choose a folder (new/open/save as), unsaved changes on close, and crash recovery. */
import { useEffect, useState } from 'react';
import {
  Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, List, ListItemButton, ListItemText, Radio, Stack, TextField, Typography,
} from '@mui/material';
import type { ActionContext } from '../../actions/action';
import { projectDialogs, useProjectDialog, type FolderMode, type ProjectDialog } from './dialog-store';
import { recover } from './project-session';

const FOLDER_TITLES: Record<FolderMode, string> = { new: 'New project', open: 'Open project', saveAs: 'Save project as' };

export function ProjectDialogs({ ctx }: { ctx: ActionContext }) {
  const dialog = useProjectDialog();
  if (dialog.kind === 'folder') return <FolderDialog key={dialog.mode} dialog={dialog} ctx={ctx} />;
  if (dialog.kind === 'unsaved') return <UnsavedDialog dialog={dialog} />;
  if (dialog.kind === 'recovery') return <RecoveryDialog dialog={dialog} ctx={ctx} />;
  return null;
}

function FolderDialog({ dialog, ctx }: { dialog: Extract<ProjectDialog, { kind: 'folder' }>; ctx: ActionContext }) {
  const [dir, setDir] = useState('');
  const [name, setName] = useState(dialog.initialName);
  const [recent, setRecent] = useState<{ dir: string; name: string; exists: boolean }[]>([]);
  useEffect(() => {
    if (dialog.mode !== 'open') return;
    void ctx.studio.verbs.project.recent({}).then((r) => r.ok && setRecent(r.value.projects.filter((p) => p.exists)));
  }, [dialog.mode, ctx.studio]);
  const submit = () => dir.trim() && dialog.resolve({ dir: dir.trim(), name: name.trim() });
  return (
    <Dialog open onClose={() => dialog.resolve(null)} fullWidth maxWidth="sm" aria-labelledby="project-folder-title">
      <DialogTitle id="project-folder-title">{FOLDER_TITLES[dialog.mode]}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            autoFocus
            label="Folder"
            placeholder="/home/me/MuseDance/my-dance"
            helperText={dialog.mode === 'open' ? 'A folder holding project.json' : 'A new or empty folder'}
            value={dir}
            onChange={(e) => setDir(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && submit()}
            slotProps={{ htmlInput: { maxLength: 4096, 'data-testid': 'project-folder-input' } }}
          />
          {dialog.mode !== 'open' && (
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} slotProps={{ htmlInput: { maxLength: 200 } }} />
          )}
          {recent.length > 0 && (
            <List dense subheader={<Typography variant="overline">Recent</Typography>}>
              {recent.slice(0, 8).map((p) => (
                <ListItemButton key={p.dir} onClick={() => dialog.resolve({ dir: p.dir, name: p.name })}>
                  <ListItemText primary={p.name} secondary={p.dir} />
                </ListItemButton>
              ))}
            </List>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => dialog.resolve(null)}>Cancel</Button>
        <Button variant="contained" disabled={!dir.trim()} onClick={submit}>
          {dialog.mode === 'open' ? 'Open' : dialog.mode === 'new' ? 'Create' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function UnsavedDialog({ dialog }: { dialog: Extract<ProjectDialog, { kind: 'unsaved' }> }) {
  return (
    <Dialog open onClose={() => dialog.resolve('cancel')} aria-labelledby="unsaved-title">
      <DialogTitle id="unsaved-title">Save changes to "{dialog.projectName}"?</DialogTitle>
      <DialogContent>
        <DialogContentText>Your changes since the last save will be lost if you don't save them.</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button color="error" onClick={() => dialog.resolve('discard')}>
          Don't save
        </Button>
        <Button onClick={() => dialog.resolve('cancel')}>Cancel</Button>
        <Button variant="contained" autoFocus onClick={() => dialog.resolve('save')}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function RecoveryDialog({ dialog, ctx }: { dialog: Extract<ProjectDialog, { kind: 'recovery' }>; ctx: ActionContext }) {
  const report = dialog.report;
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => setChosen(report?.recommended ?? report?.candidates[0]?.id ?? null), [report]);
  const [busy, setBusy] = useState(false);
  const act = async (id: string | null) => {
    setBusy(true);
    await recover(ctx.studio, dialog.dir, id, ctx.store);
    setBusy(false);
  };
  return (
    <Dialog open onClose={() => projectDialogs.close()} fullWidth maxWidth="md" aria-labelledby="recovery-title">
      <DialogTitle id="recovery-title">Recover project</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{dialog.reason}</DialogContentText>
        {dialog.error && <Alert severity="error">{dialog.error}</Alert>}
        {!report && !dialog.error && <Typography>Looking for autosaves and backups…</Typography>}
        {report && (
          <>
            <Alert severity={report.saved.ok ? 'info' : 'error'} sx={{ mb: 2 }} data-testid="recovery-saved">
              {report.saved.ok
                ? `Saved version: "${report.saved.summary.name}", ${report.saved.summary.beats} beats, ${report.saved.summary.segments} segments (saved ${new Date(report.saved.summary.savedAt).toLocaleString()}).`
                : `The saved project.json cannot be opened: ${report.saved.message}`}
            </Alert>
            {report.candidates.length === 0 && <Typography>No autosave or backup was found.</Typography>}
            <List dense data-testid="recovery-candidates">
              {report.candidates.map((c) => (
                <ListItemButton key={c.id} selected={chosen === c.id} onClick={() => setChosen(c.id)} alignItems="flex-start" data-testid={`recovery-candidate-${c.kind}`}>
                  <Radio checked={chosen === c.id} size="small" sx={{ mt: -0.5 }} slotProps={{ input: { 'aria-label': c.id } }} />
                  <ListItemText
                    primary={`${c.kind === 'autosave' ? 'Autosave' : 'Backup'} — ${new Date(c.summary.savedAt).toLocaleString()}${c.id === report.recommended ? ' (recommended)' : ''}${c.newerThanSaved ? ', newer than saved' : ''}`}
                    secondary={c.differences.length ? c.differences.join(' · ') : 'Same content as the saved version'}
                  />
                </ListItemButton>
              ))}
            </List>
            {report.skipped.length > 0 && <Typography variant="caption" color="text.secondary">{report.skipped.length} damaged copies were skipped.</Typography>}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => projectDialogs.close()}>Decide later</Button>
        {report?.saved.ok && (
          <Button disabled={busy} onClick={() => void act(null)}>
            Keep saved version
          </Button>
        )}
        <Button variant="contained" disabled={busy || !chosen} onClick={() => void act(chosen)}>
          Restore selected
        </Button>
      </DialogActions>
    </Dialog>
  );
}

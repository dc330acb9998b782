import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { notify } from '../../state/notifications';
import { projectStore, useProjectState } from '../../state/project-store';
import { exportChoices } from '../../state/export-choices';
import { applyRecalledSettings, recallStore, useRecalledSettings } from './recall-settings';

/**
 * Shows what generated a dropped export and offers to copy its prompts and seeds onto the project, and its export
 * choices into the export dialog. The project's song and beats are never touched (issue 23).
 */
export function RecalledSettingsDialog() {
  const recalled = useRecalledSettings();
  const project = useProjectState((s) => s.project);
  if (!recalled) return null;
  const { settings } = recalled;
  const matched = project ? applyRecalledSettings(project, settings).matched : 0;
  const apply = () => {
    let count = 0;
    projectStore.apply('Apply recalled prompts and seeds', (p) => {
      const r = applyRecalledSettings(p, settings);
      count = r.matched;
      return r.project;
    });
    notify('success', `Prompts and seeds applied to ${count} segment(s).`);
    recallStore.close();
  };
  return (
    <Dialog open onClose={() => recallStore.close()} maxWidth="md" fullWidth data-testid="recalled-settings">
      <DialogTitle>Settings recalled from {recalled.fileName}</DialogTitle>
      <DialogContent>
        <Typography gutterBottom>
          Pack <b>{settings.packId}</b>
          {settings.packVersion ? ` ${settings.packVersion}` : ''}, {settings.fps} fps, beats {settings.beatsHash.slice(0, 12)}…
          {settings.createdAt ? `, made ${settings.createdAt}` : ''}
        </Typography>
        {settings.export && (
          <Typography gutterBottom data-testid="recall-export-summary">
            Exported as {describeChoices(settings.export)}.
          </Typography>
        )}
        <Typography variant="body2" color="text.secondary" gutterBottom>
          Recalling never changes the project’s song or beats.
        </Typography>
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Frames</TableCell>
              <TableCell>Seed</TableCell>
              <TableCell>Prompt</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {settings.segments.map((s) => (
              <TableRow key={s.startFrame}>
                <TableCell>
                  {s.startFrame}–{s.startFrame + s.frames - 1}
                </TableCell>
                <TableCell>{s.seed}</TableCell>
                <TableCell sx={{ whiteSpace: 'pre-wrap' }}>{s.prompt}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </DialogContent>
      <DialogActions>
        <Typography variant="caption" color="text.secondary" sx={{ mr: 'auto', pl: 2 }}>
          {matched} of the project’s segments start where a recorded one does.
        </Typography>
        <Button onClick={() => recallStore.close()}>Close</Button>
        {settings.export && (
          <Button
            onClick={() => {
              exportChoices.update(settings.export!);
              notify('success', `Export settings recalled: ${describeChoices(settings.export!)}.`);
            }}
            data-testid="recall-export"
          >
            Use its export settings
          </Button>
        )}
        <Button variant="contained" disabled={matched === 0} onClick={apply}>
          Apply prompts and seeds
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function describeChoices(c: NonNullable<ReturnType<typeof useRecalledSettings>>['settings']['export'] & object): string {
  const size = `${c.upscale}x${c.aspect === 'native' ? '' : `, ${c.aspect} ${c.fit}`}`;
  return `${c.format.toUpperCase()} ${size}${c.interpolateFps ? `, ${c.interpolateFps} fps` : ''}${c.trimToSong ? ', trimmed to the song' : ''}`;
}

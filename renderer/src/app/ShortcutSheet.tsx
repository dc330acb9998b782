import { Dialog, DialogContent, DialogTitle, Table, TableBody, TableCell, TableRow } from '@mui/material';
import { useActions } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';
import { uiStore, useUi } from '../state/ui-store';

export function ShortcutSheet() {
  const open = useUi((s) => s.shortcutsOpen);
  const all = useActions().filter((a) => a.shortcut);
  const groups = [...new Set(all.map((a) => a.group ?? 'Other'))];
  return (
    <Dialog open={open} onClose={() => uiStore.update({ shortcutsOpen: false })} maxWidth="sm" fullWidth>
      <DialogTitle>Keyboard shortcuts</DialogTitle>
      <DialogContent>
        <Table size="small" aria-label="Keyboard shortcuts">
          <TableBody>
            {groups.flatMap((g) => [
              <TableRow key={`g-${g}`}>
                <TableCell colSpan={2} sx={{ fontWeight: 600 }}>{g}</TableCell>
              </TableRow>,
              ...all
                .filter((a) => (a.group ?? 'Other') === g)
                .map((a) => (
                  <TableRow key={a.id}>
                    <TableCell>{a.label}</TableCell>
                    <TableCell align="right"><kbd>{formatShortcut(a.shortcut!)}</kbd></TableCell>
                  </TableRow>
                )),
            ])}
          </TableBody>
        </Table>
      </DialogContent>
    </Dialog>
  );
}

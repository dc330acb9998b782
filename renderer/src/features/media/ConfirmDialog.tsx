import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { useConfirmQuestion } from './confirm-store';

/** Asks before an import replaces something (the song). */
export function ConfirmDialog() {
  const q = useConfirmQuestion();
  if (!q) return null;
  return (
    <Dialog open onClose={() => q.answer(false)} data-testid="confirm-dialog">
      <DialogTitle>{q.title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{q.message}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => q.answer(false)} autoFocus>
          Cancel
        </Button>
        <Button variant="contained" onClick={() => q.answer(true)}>
          {q.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

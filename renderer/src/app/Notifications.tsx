import { Alert, Snackbar } from '@mui/material';
import { notifications, useNotifications } from '../state/notifications';

/** Shows the newest notice; errors stay until dismissed, others fade. Bottom left: dialogs keep their buttons on the right. */
export function Notifications() {
  const list = useNotifications();
  const latest = list[list.length - 1];
  if (!latest) return null;
  return (
    <Snackbar open key={latest.id} anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }} autoHideDuration={latest.severity === 'error' ? null : 4000} onClose={() => notifications.dismiss(latest.id)} sx={{ maxWidth: 480 }}>
      <Alert severity={latest.severity} variant="filled" onClose={() => notifications.dismiss(latest.id)} data-testid="notice" role="alert">
        {latest.code && latest.severity === 'error' ? `${latest.message} (${latest.code})` : latest.message}
      </Alert>
    </Snackbar>
  );
}

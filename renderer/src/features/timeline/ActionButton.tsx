/** A toolbar button that runs a registered action; its tooltip names the action and its shortcut. */
import type { ReactNode } from 'react';
import { Button, IconButton, Tooltip } from '@mui/material';
import { useStudio } from '../../bridge/index';
import { actions, useActions } from '../../actions/registry';
import { formatShortcut } from '../../actions/shortcuts';
import { projectStore } from '../../state/project-store';

export function ActionButton({ id, icon, text, pressed, disabled }: { id: string; icon?: ReactNode; text?: string; pressed?: boolean; disabled?: boolean }) {
  const studio = useStudio();
  const action = useActions().find((a) => a.id === id);
  if (!action) return null;
  const title = action.shortcut ? `${action.label} (${formatShortcut(action.shortcut)})` : action.label;
  const run = () => void actions.run(id, { studio, store: projectStore });
  const common = { 'aria-label': action.label, 'aria-pressed': pressed, disabled, onClick: run, size: 'small' as const };
  return (
    <Tooltip title={title}>
      <span>
        {icon ? (
          <IconButton {...common} color={pressed ? 'primary' : 'default'}>
            {icon}
          </IconButton>
        ) : (
          <Button {...common} variant={pressed ? 'contained' : 'text'} color="inherit" sx={{ minWidth: 36, px: 1, textTransform: 'none' }}>
            {text}
          </Button>
        )}
      </span>
    </Tooltip>
  );
}

import { useMemo, useState } from 'react';
import { Dialog, List, ListItemButton, ListItemText, TextField, Typography } from '@mui/material';
import { actions, useActions } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';
import { useUi, uiStore } from '../state/ui-store';
import type { ActionContext } from '../actions/action';

export function CommandPalette({ ctx }: { ctx: ActionContext }) {
  const open = useUi((s) => s.paletteOpen);
  const all = useActions();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    return all.filter((a) => a.id !== 'app.commandPalette' && (!a.enabled || a.enabled(ctx)) && (!q || `${a.group ?? ''} ${a.label}`.toLowerCase().includes(q)));
  }, [all, query, ctx, open]);
  const close = () => {
    uiStore.update({ paletteOpen: false });
    setQuery('');
    setIndex(0);
  };
  const choose = (id: string) => {
    close();
    void actions.run(id, ctx);
  };
  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="sm" slotProps={{ paper: { "aria-label": "Command palette" } as object }}>
      <TextField
        autoFocus
        fullWidth
        placeholder="Type a command…"
        value={query}
        slotProps={{ htmlInput: { 'aria-label': 'Command' } }}
        onChange={(e) => {
          setQuery(e.target.value);
          setIndex(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setIndex((i) => Math.min(i + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setIndex((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter' && matches[index]) choose(matches[index].id);
          else return;
          e.preventDefault();
        }}
        sx={{ p: 1 }}
      />
      <List dense sx={{ maxHeight: 400, overflow: 'auto' }} role="listbox">
        {matches.map((a, i) => (
          <ListItemButton key={a.id} selected={i === index} onClick={() => choose(a.id)} role="option" aria-selected={i === index}>
            <ListItemText primary={a.label} secondary={a.group} />
            {a.shortcut && <Typography variant="caption" color="text.secondary">{formatShortcut(a.shortcut)}</Typography>}
          </ListItemButton>
        ))}
        {matches.length === 0 && <Typography sx={{ p: 2 }} color="text.secondary">No matching command.</Typography>}
      </List>
    </Dialog>
  );
}

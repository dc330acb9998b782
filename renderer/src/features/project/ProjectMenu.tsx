/** The "Project" menu of the app bar: the project actions plus the recent projects list. */
import { useState } from 'react';
import { Button, Divider, ListItemText, ListSubheader, Menu, MenuItem, Typography } from '@mui/material';
import FolderIcon from '@mui/icons-material/FolderOpen';
import type { ActionContext } from '../../actions/action';
import { actions } from '../../actions/registry';
import { formatShortcut } from '../../actions/shortcuts';
import { projectActions } from './actions/index';
import { openProject } from './project-session';

interface RecentEntry {
  dir: string;
  name: string;
  exists: boolean;
}

export function ProjectMenu({ ctx }: { ctx: ActionContext }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [recent, setRecent] = useState<RecentEntry[]>([]);
  const openMenu = async (el: HTMLElement) => {
    setAnchor(el);
    const r = await ctx.studio.verbs.project.recent({});
    setRecent(r.ok ? r.value.projects : []);
  };
  const run = (id: string) => {
    setAnchor(null);
    void actions.run(id, ctx);
  };
  return (
    <>
      <Button color="inherit" startIcon={<FolderIcon />} onClick={(e) => void openMenu(e.currentTarget)} aria-haspopup="menu" data-testid="project-menu">
        Project
      </Button>
      <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {projectActions.map((a) => (
          <MenuItem key={a.id} onClick={() => run(a.id)} disabled={a.enabled ? !a.enabled(ctx) : false}>
            <ListItemText>{a.label}</ListItemText>
            {a.shortcut && (
              <Typography variant="body2" color="text.secondary" sx={{ ml: 3 }}>
                {formatShortcut(a.shortcut)}
              </Typography>
            )}
          </MenuItem>
        ))}
        <Divider />
        <ListSubheader>Recent projects</ListSubheader>
        {recent.length === 0 && <MenuItem disabled>None yet</MenuItem>}
        {recent.map((p) => (
          <MenuItem
            key={p.dir}
            disabled={!p.exists}
            title={p.exists ? p.dir : `${p.dir} (no longer there)`}
            onClick={() => {
              setAnchor(null);
              void openProject(ctx.studio, p.dir, ctx.store);
            }}
          >
            <ListItemText primary={p.name} secondary={p.dir} slotProps={{ secondary: { noWrap: true, sx: { maxWidth: 360 } } }} />
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}

import { useEffect, useMemo } from 'react';
import { AppBar, Box, IconButton, Tab, Tabs, Toolbar, Tooltip, Typography } from '@mui/material';
import SearchIcon from '@mui/icons-material/Search';
import KeyboardIcon from '@mui/icons-material/Keyboard';
import { useStudio } from '../bridge/index';
import { actions } from '../actions/registry';
import { formatShortcut } from '../actions/shortcuts';
import type { ActionContext } from '../actions/action';
import { projectStore, useProjectState } from '../state/project-store';
import { uiStore, useUi } from '../state/ui-store';
import { CommandPalette } from './CommandPalette';
import { ShortcutSheet } from './ShortcutSheet';
import { Notifications } from './Notifications';
import { views } from './views';
import { allActions } from './all-actions';
import { openProject, ProjectHost, ProjectMenu } from '../features/project/index';
import { FilePickerDialog } from './FilePickerDialog';

/** The folder of the project open when the page was last left: a reload reopens it (issue 23 #10). */
const LAST_PROJECT_KEY = 'musedance.lastProject';

export function App() {
  const studio = useStudio();
  const ctx: ActionContext = useMemo(() => ({ studio, store: projectStore }), [studio]);
  const view = useUi((s) => s.view);
  const projectName = useProjectState((s) => s.project?.name ?? null);
  const dirty = useProjectState((s) => s.revision !== s.savedRevision);

  useEffect(() => actions.register(allActions), []);
  useEffect(() => {
    const last = localStorage.getItem(LAST_PROJECT_KEY);
    if (last && !projectStore.getState().project) void openProject(studio, last);
    let shown = projectStore.getState().dir;
    return projectStore.subscribe(() => {
      const dir = projectStore.getState().dir;
      if (dir === shown) return;
      shown = dir;
      if (dir) localStorage.setItem(LAST_PROJECT_KEY, dir);
      else localStorage.removeItem(LAST_PROJECT_KEY);
    });
  }, [studio]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = actions.forKeyEvent(e, ctx);
      if (!action) return;
      e.preventDefault();
      void actions.run(action.id, ctx);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ctx]);

  const Current = views.find((v) => v.id === view)?.component ?? views[0]!.component;
  return (
    <Box sx={{ minHeight: '100vh', bgcolor: 'background.default' }}>
      <AppBar position="sticky" color="default" elevation={1}>
        <Toolbar variant="dense" sx={{ gap: 2 }}>
          <Typography variant="h6" component="h1" sx={{ whiteSpace: 'nowrap' }}>
            MuseDance Studio
          </Typography>
          <Typography variant="body2" color="text.secondary" noWrap data-testid="project-title">
            {projectName ? `${projectName}${dirty ? ' •' : ''}` : 'No project'}
          </Typography>
          <ProjectMenu ctx={ctx} />
          <Tabs value={view} onChange={(_e, v) => uiStore.update({ view: v })} sx={{ ml: 'auto' }} aria-label="Screens">
            {views.map((v) => (
              <Tab key={v.id} value={v.id} label={v.label} />
            ))}
          </Tabs>
          <Tooltip title={`Command palette (${formatShortcut('Mod+K')})`}>
            <IconButton aria-label="Command palette" onClick={() => uiStore.update({ paletteOpen: true })}>
              <SearchIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title="Keyboard shortcuts (?)">
            <IconButton aria-label="Keyboard shortcuts" onClick={() => uiStore.update({ shortcutsOpen: true })}>
              <KeyboardIcon />
            </IconButton>
          </Tooltip>
        </Toolbar>
      </AppBar>
      <Box component="main">
        <Current />
      </Box>
      <ProjectHost ctx={ctx} />
      <CommandPalette ctx={ctx} />
      <ShortcutSheet />
      <Notifications />
      <FilePickerDialog />
    </Box>
  );
}

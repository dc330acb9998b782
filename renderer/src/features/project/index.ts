/** The project feature: menu, dialogs + autosave host, and its actions. */
export { ProjectMenu } from './ProjectMenu';
export { ProjectHost } from './ProjectHost';
export { projectActions } from './actions/index';
export { openProject } from './project-session';

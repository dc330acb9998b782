/** The project menu's commands (also in the palette, with shortcuts). */
import { closeProjectAction, newProjectAction, openProjectAction, recoverProjectAction, saveProjectAction, saveProjectAsAction } from './project-actions';

export const projectActions = [newProjectAction, openProjectAction, saveProjectAction, saveProjectAsAction, closeProjectAction, recoverProjectAction];

import type { projectChannels } from '../../shared/contract/project';
import type { HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../handlers';
import { createProject, openProject, writeProject } from './project-store';

export const projectHandlers = ({ media }: StudioServices): HandlersFor<typeof projectChannels> => ({
  'project.new': async ({ dir, name }) => {
    const opened = await createProject(dir, name);
    media.setProject(opened.dir);
    return opened;
  },
  'project.open': async ({ dir }) => {
    const opened = await openProject(dir);
    media.setProject(opened.dir);
    return opened;
  },
  'project.save': async ({ dir, project }) => ({ savedAt: await writeProject(dir, project) }),
});

import type { projectChannels } from '../../shared/contract/project';
import type { HandlersFor } from '../../ipc/registry';
import { createProject, openProject, writeProject } from './project-store';

export const projectHandlers = (): HandlersFor<typeof projectChannels> => ({
  'project.new': ({ dir, name }) => createProject(dir, name),
  'project.open': ({ dir }) => openProject(dir),
  'project.save': async ({ dir, project }) => ({ savedAt: await writeProject(dir, project) }),
});

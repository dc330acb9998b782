import type { projectChannels } from '../../shared/contract/project';
import type { HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { absoluteDir, ProjectService } from './project-service';
import { inspectProject, validateProject } from './project-inspect';
import { StudioError } from '../../shared/result';

/** One ProjectService per studio (per handler set): its open project, lock and autosave state. */
export const projectHandlers = ({ config, media }: StudioServices): HandlersFor<typeof projectChannels> => {
  const projects = new ProjectService({ appVersion: config.version, dataDir: config.dataDir, media });
  return {
    'project.new': ({ dir, name }) => projects.create(dir, name),
    'project.open': ({ dir, readOnly }) => projects.open(dir, { readOnly }),
    'project.save': ({ project, revision, autosave }) => projects.save(project, revision, autosave),
    'project.saveAs': ({ dir, project, revision, name }, ctx) =>
      projects.saveAs(dir, project, revision, { name, signal: ctx.signal, progress: (fraction, message) => ctx.progress(fraction, message) }),
    'project.close': ({ discardUnsaved }) => projects.close(discardUnsaved),
    'project.current': () => projects.current(),
    'project.recent': async () => ({ projects: await projects.recent.list() }),
    'project.forgetRecent': async ({ dir }) => ({ projects: await projects.recent.forget(dir) }),
    'project.inspect': ({ dir }) => {
      const root = dir !== undefined ? absoluteDir(dir) : projects.openRoot;
      if (!root) throw new StudioError('PROJECT_NOT_OPEN', 'No project is open; name a folder to inspect.');
      return inspectProject(root, projects.migrationContext, { crashed: projects.crashedAt(root) });
    },
    'project.recover': ({ dir, candidateId }) => projects.recover(dir, candidateId),
    'project.validate': ({ dir }) => validateProject(absoluteDir(dir), projects.migrationContext),
  };
};

import type { systemChannels } from '../../shared/contract/system';
import type { HandlersFor } from '../../ipc/registry';
import type { StudioServices } from '../studio-services';
import { runDoctor } from './doctor';

export const systemHandlers = ({ config }: StudioServices): HandlersFor<typeof systemChannels> => ({
  'system.info': (_req, ctx) => ({ version: config.version, host: ctx.host, platform: process.platform }),
  'system.doctor': () => runDoctor(config),
  'jobs.cancel': ({ jobId }, ctx) => ({ cancelled: ctx.registry.cancel(jobId) }),
});

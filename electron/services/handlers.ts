/**
 * All handlers of the studio, one factory per domain. A channel in the contract without an entry here fails
 * to compile (the `Handlers` type requires every channel).
 */
import { HandlerRegistry, type Handlers, type HostKind } from '../ipc/registry';
import { loadConfig, type StudioConfig } from './config';
import { MediaRoots } from './media-roots';
import { projectHandlers } from './projects/handlers';
import { systemHandlers } from './system/handlers';
import { trainingHandlers } from './training/handlers';
import { mediaHandlers } from './media/handlers';
import { generateHandlers } from './inference/handlers';
import { beatsHandlers } from './audio/handlers';

/** What handler factories get: configuration and the shared, process-wide service state. */
export interface StudioServices {
  config: StudioConfig;
  media: MediaRoots;
}

export function createHandlers(services: StudioServices): Handlers {
  return {
    ...systemHandlers(services),
    ...trainingHandlers(services),
    ...projectHandlers(services),
    ...mediaHandlers(services),
    ...generateHandlers(services),
    ...beatsHandlers(services),
  };
}

export interface Studio extends StudioServices {
  registry: HandlerRegistry;
}

export function createStudio(host: HostKind, config: StudioConfig = loadConfig(), log?: (line: string) => void): Studio {
  const services: StudioServices = { config, media: new MediaRoots() };
  return { ...services, registry: new HandlerRegistry(createHandlers(services), { host, log }) };
}

/**
 * The composition root: builds the studio's services and its one handler registry, with every domain's handler
 * factory. Each host (Electron main, the browser host, the CLI) calls `createStudio` and then talks to the
 * registry only. A channel in the contract without an entry here fails to compile (`Handlers` requires every
 * channel).
 */
import { HandlerRegistry, type Handlers, type HostKind } from '../ipc/registry';
import { loadConfig, type StudioConfig } from './config';
import { MediaRoots } from './media-roots';
import type { StudioServices } from './studio-services';
import { projectHandlers } from './projects/handlers';
import { systemHandlers } from './system/handlers';
import { trainingHandlers } from './training/handlers';
import { packBuildHandlers } from './training/pack-build/handlers';
import { mediaHandlers } from './media/handlers';
import { generateHandlers } from './inference/handlers';
import { beatsHandlers } from './audio/handlers';
import { filesHandlers } from './files/handlers';

export function createHandlers(services: StudioServices): Handlers {
  return {
    ...systemHandlers(services),
    ...trainingHandlers(services),
    ...packBuildHandlers(services),
    ...projectHandlers(services),
    ...mediaHandlers(services),
    ...generateHandlers(services),
    ...beatsHandlers(services),
    ...filesHandlers(services),
  };
}

export interface Studio extends StudioServices {
  registry: HandlerRegistry;
}

export function createStudio(host: HostKind, config: StudioConfig = loadConfig(), log?: (line: string) => void): Studio {
  const services: StudioServices = { config, media: new MediaRoots() };
  return { ...services, registry: new HandlerRegistry(createHandlers(services), { host, log }) };
}

/**
 * All handlers of the studio, one factory per domain. A channel in the contract without an entry here fails
 * to compile (the `Handlers` type requires every channel).
 */
import type { Handlers } from '../ipc/registry';
import { HandlerRegistry, type HostKind } from '../ipc/registry';
import { loadConfig, type StudioConfig } from './config';
import { projectHandlers } from './projects/handlers';
import { systemHandlers } from './system/handlers';

export function createHandlers(config: StudioConfig): Handlers {
  return {
    ...systemHandlers(config),
    ...projectHandlers(),
  };
}

export function createRegistry(host: HostKind, config: StudioConfig = loadConfig(), log?: (line: string) => void): HandlerRegistry {
  return new HandlerRegistry(createHandlers(config), { host, log });
}

/**
 * Orderly shutdown shared by every host: cancel running jobs, then close the open project so its lock is
 * released. Unsaved changes are never discarded here: `project.close` refuses, the lock stays, and the next
 * start offers the autosave through crash recovery.
 */
import type { HandlerRegistry } from '../ipc/registry';

/** A stuck handler must not keep the app from quitting. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

export async function shutdownStudio(registry: HandlerRegistry): Promise<void> {
  registry.cancelAll();
  await Promise.race([registry.dispatch('project.close', { discardUnsaved: false }), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref())]);
}

/**
 * The one IPC contract. Every channel and event of the studio is declared here (by domain file); the handler
 * registry, the Electron preload, the browser host's web bridge and the CLI are all derived from it, and
 * `test/types/contract.test-d.ts` fails to compile when a channel has no handler or no bridge verb.
 * This folder imports nothing from the rest of the repository (only zod).
 */
import type { z } from 'zod';
import { systemChannels, systemEvents } from './system';
import { trainingChannels, trainingEvents } from './training';
import { projectChannels } from './project';
import { mediaChannels } from './media';
import { generateChannels, generateEvents } from './generate';
import { beatsChannels } from './beats';
import { packBuildChannels } from './pack-build';
import { filesChannels } from './files';

export const contract = {
  ...systemChannels,
  ...trainingChannels,
  ...projectChannels,
  ...mediaChannels,
  ...generateChannels,
  ...beatsChannels,
  ...filesChannels,
  ...packBuildChannels,
} as const;

export const events = {
  ...systemEvents,
  ...trainingEvents,
  ...generateEvents,
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type EventName = keyof typeof events;
export type RequestOf<K extends ChannelName> = z.input<Contract[K]['request']>;
export type ParsedRequestOf<K extends ChannelName> = z.output<Contract[K]['request']>;
export type ReplyOf<K extends ChannelName> = z.output<Contract[K]['reply']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const channelNames = Object.keys(contract) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export const isChannelName = (name: unknown): name is ChannelName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);

/**
 * What the renderer sees as `window.studio`: one verb per channel, grouped by domain
 * (`studio.verbs.system.doctor({})`), plus typed event subscription whose `on()` returns an unsubscribe.
 * The Electron preload and the browser host's web bridge both build it with `buildVerbs`, so the two hosts
 * cannot drift. Pure and dependency-free: the renderer may import it.
 */
import type { Result } from '../result';
import { channelNames, type ChannelName, type EventName, type EventPayload, type ReplyOf, type RequestOf } from './index';

export interface CallOptions {
  /** Client-chosen id for long-running channels: progress events carry it and `jobs.cancel` takes it. */
  jobId?: string;
}

type DomainOf<K> = K extends `${infer D}.${string}` ? D : never;
type VerbOf<K, D extends string> = K extends `${D}.${infer V}` ? V : never;

export type Verb<K extends ChannelName> = (request: RequestOf<K>, options?: CallOptions) => Promise<Result<ReplyOf<K>>>;

export type Verbs = {
  [D in DomainOf<ChannelName>]: { [K in ChannelName as VerbOf<K, D>]: Verb<K> };
};

export type EventListener<E extends EventName> = (payload: EventPayload<E>) => void;

export interface StudioBridge {
  readonly host: 'electron' | 'web';
  readonly verbs: Verbs;
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
  /** URL the renderer may load a project or pack file from (custom protocol or host media route). */
  mediaUrl(kind: 'project' | 'pack', relPath: string): string;
}

export type RawCall = (channel: ChannelName, request: unknown, options: CallOptions) => Promise<Result<unknown>>;

/** Builds the verb tree from the contract's channel list; every verb forwards to `call`. */
export function buildVerbs(call: RawCall): Verbs {
  const verbs: Record<string, Record<string, unknown>> = {};
  for (const name of channelNames) {
    const dot = name.indexOf('.');
    const domain = name.slice(0, dot);
    const verb = name.slice(dot + 1);
    (verbs[domain] ??= {})[verb] = (request: unknown, options: CallOptions = {}) => call(name, request, options);
  }
  return verbs as unknown as Verbs;
}

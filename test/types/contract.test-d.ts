/**
 * Compile-time guarantees of the IPC contract (checked by `npm run typecheck`):
 * every channel has a handler, every channel has a bridge verb, and nothing exists that is not a channel.
 */
import type { Handlers } from '../../electron/ipc/registry';
import type { createHandlers } from '../../electron/services/composition-root';
import type { StudioBridge, Verbs } from '../../electron/shared/contract/bridge';
import type { ChannelName } from '../../electron/shared/contract/index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

type HandlerMap = ReturnType<typeof createHandlers>;
type VerbNames = { [D in keyof Verbs]: `${D & string}.${keyof Verbs[D] & string}` }[keyof Verbs];

export type HandlersCoverEveryChannel = Expect<Equal<keyof HandlerMap, ChannelName>>;
export type HandlersHaveTheContractTypes = Expect<HandlerMap extends Handlers ? true : false>;
export type BridgeHasAVerbPerChannel = Expect<Equal<VerbNames, ChannelName>>;
export type PreloadAndWebBridgeShareTheShape = Expect<StudioBridge['verbs'] extends Verbs ? true : false>;

// The guard really bites: a handler table missing one channel does not compile.
declare const complete: Handlers;
const { ['system.doctor']: _dropped, ...incomplete } = complete;
// @ts-expect-error — 'system.doctor' has no handler
export const missingHandler: Handlers = incomplete;

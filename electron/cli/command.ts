import type { HandlerRegistry } from '../ipc/registry';
import type { ChannelName, ReplyOf, RequestOf } from '../shared/contract/index';
import type { StudioConfig } from '../services/config';
import type { OptionSpec, ParsedArgs } from './args';

export interface CliContext {
  config: StudioConfig;
  registry: HandlerRegistry;
  json: boolean;
  /** Calls a channel through the same registry the app uses; throws StudioError on an error value. */
  call<K extends ChannelName>(channel: K, request: RequestOf<K>): Promise<ReplyOf<K>>;
  /** Progress/status line on stderr (never stdout: stdout is the result). */
  status(line: string): void;
  signal: AbortSignal;
}

export interface CliResult {
  /** The one JSON object printed with --json. */
  json: unknown;
  /** What a person reads without --json. */
  text: string;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  /** The configuration this command's studio is built with, when its options change it (returns a new one). */
  configure?(args: ParsedArgs, config: StudioConfig): StudioConfig;
  run(args: ParsedArgs, ctx: CliContext): Promise<CliResult>;
}

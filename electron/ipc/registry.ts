/**
 * The handler registry every adapter (ipcMain, browser host, CLI, tests) dispatches through.
 * It is the single place that: parses the request with the contract's schema, runs the handler with an
 * AbortSignal and a progress reporter, turns every failure into an error value, and tracks running jobs
 * so `jobs.cancel` works from any adapter.
 */
import { z } from 'zod';
import { contract, isChannelName, type ChannelName, type EventName, type EventPayload, type ParsedRequestOf, type ReplyOf } from '../shared/contract/index';
import { JobId } from '../shared/contract/channel';
import { err, ErrorCodes, ok, StudioError, type Result } from '../shared/result';

export type HostKind = 'electron' | 'web' | 'cli' | 'test';
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface HandlerContext {
  signal: AbortSignal;
  /** Reports progress of this call (a no-op unless the caller gave a jobId). */
  progress(fraction: number | null, message: string, etaSec?: number | null): void;
  emit: Emit;
  host: HostKind;
  jobId: string | null;
  registry: HandlerRegistry;
}

export type Handler<K extends ChannelName> = (request: ParsedRequestOf<K>, ctx: HandlerContext) => Promise<ReplyOf<K>> | ReplyOf<K>;
export type Handlers = { [K in ChannelName]: Handler<K> };
/** Handlers of one domain file: `HandlersFor<typeof beatsChannels>`. */
export type HandlersFor<C> = { [K in keyof C & ChannelName]: Handler<K> };

export interface DispatchOptions {
  jobId?: unknown;
  emit?: Emit;
}

const describeZodError = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'request'}: ${i.message}`)
    .join('; ');

export class HandlerRegistry {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly handlers: Handlers,
    private readonly options: { host: HostKind; log?: (line: string) => void },
  ) {}

  get host(): HostKind {
    return this.options.host;
  }

  async dispatch(channel: unknown, request: unknown, options: DispatchOptions = {}): Promise<Result<unknown>> {
    if (!isChannelName(channel)) {
      return err(ErrorCodes.unknownChannel, `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}.`);
    }
    const spec = contract[channel];
    const parsed = spec.request.safeParse(request);
    if (!parsed.success) return err(ErrorCodes.badRequest, `Invalid request for ${channel}: ${describeZodError(parsed.error)}`);

    let jobId: string | null = null;
    if (options.jobId !== undefined) {
      const id = JobId.safeParse(options.jobId);
      if (!id.success) return err(ErrorCodes.badRequest, `Invalid jobId for ${channel}: ${describeZodError(id.error)}`);
      if (this.running.has(id.data)) return err(ErrorCodes.badRequest, `Job ${id.data} is already running.`);
      jobId = id.data;
    }
    const controller = new AbortController();
    if (jobId) this.running.set(jobId, controller);
    const emit: Emit = options.emit ?? (() => {});
    const ctx: HandlerContext = {
      signal: controller.signal,
      host: this.options.host,
      jobId,
      emit,
      registry: this,
      progress: (fraction, message, etaSec = null) => {
        if (!jobId) return;
        const clamped = fraction === null || !Number.isFinite(fraction) ? null : Math.min(1, Math.max(0, fraction));
        emit('job.progress', { jobId, channel, fraction: clamped, message: message.slice(0, 500), etaSec: etaSec !== null && Number.isFinite(etaSec) && etaSec >= 0 ? etaSec : null });
      },
    };
    try {
      const handler = this.handlers[channel] as Handler<ChannelName>;
      const reply = await handler(parsed.data as never, ctx);
      if (controller.signal.aborted) return err(ErrorCodes.cancelled, 'Cancelled.');
      return ok(reply);
    } catch (error) {
      return this.toErrorValue(channel, error, controller.signal);
    } finally {
      if (jobId) this.running.delete(jobId);
    }
  }

  /** Aborts a running job; false when no job has that id. */
  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Aborts every running job (window closed, host shutting down). */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private toErrorValue(channel: string, error: unknown, signal: AbortSignal): Result<never> {
    if (error instanceof StudioError) return err(error.code, error.message);
    if (signal.aborted || (error instanceof Error && error.name === 'AbortError')) return err(ErrorCodes.cancelled, 'Cancelled.');
    this.options.log?.(`[${channel}] unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return err(ErrorCodes.internal, `${channel} failed unexpectedly: ${error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300)}`);
  }
}

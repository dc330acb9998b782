/**
 * Shared by every long-running CLI command: a job channel with progress lines on stderr and Ctrl-C
 * cancelling it (ffmpeg or the ORT worker stopped through the registry), and user-typed path resolution.
 */
import path from 'node:path';
import type { ChannelName, ReplyOf, RequestOf } from '../shared/contract/index';
import { StudioError } from '../shared/result';
import type { CliContext } from './command';

let nextJob = 0;

/** Calls a job channel; progress goes to stderr as `[label: ]NN% message, ~N s left`, repeated lines dropped. */
export async function callJob<K extends ChannelName>(ctx: CliContext, channel: K, request: RequestOf<K>, label?: string): Promise<ReplyOf<K>> {
  const jobId = `cli-${process.pid}-${++nextJob}`;
  let lastLine = '';
  const onAbort = () => ctx.registry.cancel(jobId);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await ctx.registry.dispatch(channel, request, {
      jobId,
      emit: (event, payload) => {
        if (event !== 'job.progress') return;
        const p = payload as { fraction: number | null; message: string; etaSec: number | null };
        const percent = p.fraction === null ? '' : `${String(Math.floor(p.fraction * 100)).padStart(3)}% `;
        const eta = p.etaSec === null ? '' : `, ~${Math.ceil(p.etaSec)} s left`;
        const line = `${label ? `${label}: ` : ''}${percent}${p.message}${eta}`;
        if (line !== lastLine) ctx.status(line);
        lastLine = line;
      },
    });
    if (!result.ok) throw new StudioError(result.error.code, result.error.message);
    return result.value as ReplyOf<K>;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * `npm run` changes the working directory to the package root; a relative path the user typed is relative to
 * where they typed it (npm passes that as INIT_CWD).
 */
export const userPath = (p: string): string => path.resolve(process.env.INIT_CWD || process.cwd(), p);

/** Runs a long media channel from the CLI with progress on stderr and Ctrl-C cancelling it (ffmpeg killed). */
import path from 'node:path';
import type { ChannelName, ReplyOf, RequestOf } from '../../shared/contract/index';
import { StudioError } from '../../shared/result';
import type { CliContext } from '../command';

let nextJob = 0;

export async function callJob<K extends ChannelName>(ctx: CliContext, channel: K, request: RequestOf<K>): Promise<ReplyOf<K>> {
  const jobId = `cli-${process.pid}-${++nextJob}`;
  let lastPercent = -1;
  const onAbort = () => ctx.registry.cancel(jobId);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await ctx.registry.dispatch(channel, request, {
      jobId,
      emit: (event, payload) => {
        if (event !== 'job.progress') return;
        const p = payload as { fraction: number | null; message: string };
        const percent = p.fraction === null ? null : Math.floor(p.fraction * 100);
        if (percent !== null && percent === lastPercent) return;
        lastPercent = percent ?? lastPercent;
        ctx.status(`${percent === null ? '' : `${String(percent).padStart(3)}% `}${p.message}`);
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

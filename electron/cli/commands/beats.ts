import { beatFrame, DEFAULT_BEAT_FPS } from '../../shared/domain/beat-frames';
import type { BeatAnalysis } from '../../shared/domain/beat-analysis';
import { ErrorCodes, StudioError } from '../../shared/result';
import type { CliCommand } from '../command';
import { userPath } from '../job';

const CLI_JOB_ID = 'cli-beats';

export const beatsCommand: CliCommand = {
  name: 'beats',
  summary: 'Detect tempo, beats (with confidence), bars and downbeats (net tracker), onsets and half/double-tempo alternatives of a song',
  usage: 'beats <audio> [--tracker dp|net] [--fps 12] [--refresh] [--json]',
  options: { fps: 'number', refresh: 'boolean', tracker: 'string' },
  async run(args, ctx) {
    const [file, ...extra] = args.positional;
    if (!file || extra.length) throw new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    const fps = (args.options.fps as number | undefined) ?? DEFAULT_BEAT_FPS;
    if (!Number.isInteger(fps) || fps < 1 || fps > 120) throw new StudioError('CLI_USAGE', '--fps must be a whole number from 1 to 120.');
    const tracker = args.options.tracker as string | undefined;
    if (tracker !== undefined && tracker !== 'dp' && tracker !== 'net') throw new StudioError('CLI_USAGE', '--tracker must be dp (onset tracker) or net (beat network with bars).');
    // Dispatch with a job id so progress reaches stderr and Ctrl+C cancels the decode.
    const onAbort = () => ctx.registry.cancel(CLI_JOB_ID);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let result;
    try {
      result = await ctx.registry.dispatch(
        'beats.analyse',
        { path: userPath(file), refresh: args.options.refresh === true, ...(tracker ? { tracker: tracker as 'dp' | 'net' } : {}) },
        {
          jobId: CLI_JOB_ID,
          emit: (event, payload) => {
            if (event === 'job.progress') {
              const p = payload as { fraction: number | null; message: string };
              ctx.status(`${p.fraction === null ? '   ' : `${Math.round(p.fraction * 100)}%`.padStart(4)} ${p.message}`);
            }
          },
        },
      );
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    if (!result.ok) throw new StudioError(result.error.code, result.error.message);
    const a = result.value as BeatAnalysis;
    if (!a || typeof a.tempoBpm !== 'number') throw new StudioError(ErrorCodes.internal, 'beats.analyse returned no analysis.');
    // The default tracker fell back (model missing or broken): say so on stderr, and in the JSON.
    if (a.trackerNote) ctx.status(`warning: ${a.trackerNote}`);
    const bars = a.bars && a.bars.beatInBar.length === a.beatTimesSec.length ? a.bars : null;
    const downbeats = bars ? a.beatTimesSec.filter((_, i) => bars.beatInBar[i] === 1) : [];
    const json = {
      tempo: a.tempoBpm,
      beats: a.beatTimesSec,
      beatConfidence: a.beatConfidence,
      confidence: a.confidence,
      onsets: a.onsetTimesSec,
      alternatives: { half: a.alternatives.half, double: a.alternatives.double },
      duration: a.durationSec,
      silent: a.silent,
      tracker: a.tracker ?? 'dp',
      ...(a.trackerNote ? { trackerNote: a.trackerNote } : {}),
      /** Beats per bar, each beat's place in its bar (1 = downbeat) and bar (0 = pick-up); null without bars. */
      beatsPerBar: bars?.beatsPerBar ?? null,
      beatInBar: bars?.beatInBar ?? null,
      barOfBeat: bars?.barOfBeat ?? null,
      downbeats,
      fps,
      /** Video frame of each beat at `fps` (the model's rule, counted from the start of the song). */
      beatFrames: a.beatTimesSec.map((t) => beatFrame(t, 0, fps)),
      sha256: a.sha256,
    };
    const text = a.silent
      ? `${file}: silent (${a.durationSec.toFixed(1)} s), no beats`
      : [
          `${file}: ${a.tempoBpm.toFixed(1)} BPM, ${a.beatTimesSec.length} beats, confidence ${a.confidence.toFixed(2)}, ${a.durationSec.toFixed(1)} s (${a.tracker ?? 'dp'} tracker)`,
          ...(bars ? [`  bars: ${bars.beatsPerBar} beats per bar, ${downbeats.length} downbeats (s): ${downbeats.slice(0, 8).map((t) => t.toFixed(2)).join(' ')}${downbeats.length > 8 ? ' ...' : ''}`] : []),
          `  beats (s): ${a.beatTimesSec.slice(0, 16).map((t) => t.toFixed(2)).join(' ')}${a.beatTimesSec.length > 16 ? ' ...' : ''}`,
          `  half tempo: ${a.alternatives.half.length} beats, double tempo: ${a.alternatives.double.length} beats, ${a.onsetTimesSec.length} onsets`,
        ].join('\n');
    return { json, text };
  },
};

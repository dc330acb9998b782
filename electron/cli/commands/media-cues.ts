import { z } from 'zod';
import { StudioError } from '../../shared/result';
import { WavCue } from '../../shared/domain/media';
import type { CliCommand } from '../command';
import { callJob, userPath } from '../job';
import { readRegularText } from '../../services/util/safe-open';

const MAX_BEATS_FILE_BYTES = 16 * 1024 * 1024;

/** A beats file: `[{ "timeSec": 1.5, "label": "beat 1" }, ...]`, or a project-style `{ "beats": [{ "timeSec": ... }] }`. */
const BeatsFile = z.union([z.array(WavCue), z.object({ beats: z.array(z.object({ timeSec: z.number(), id: z.string().optional() })) }).passthrough()]);

export const cuesCommand: CliCommand = {
  name: 'cues',
  summary: 'Write beat markers into a WAV as cue points, or read them back',
  usage: 'cues write <song> <beats.json> --out <file.wav> [--overwrite] | cues read <file.wav>  [--json]',
  options: { out: 'string', overwrite: 'boolean' },
  async run(args, ctx) {
    const [sub, a, b, ...extra] = args.positional;
    const usage = new StudioError('CLI_USAGE', `usage: ${this.usage}`);
    if (sub === 'read' && a && !b) {
      const r = await ctx.call('media.readBeatCues', { path: userPath(a) });
      return { json: r, text: [`${r.cues.length} cue(s) at ${r.sampleRate} Hz`, ...r.cues.map((c) => `  ${c.timeSec.toFixed(4)} s  ${c.label}`)].join('\n') };
    }
    if (sub !== 'write' || !a || !b || extra.length || !args.options.out) throw usage;
    let parsed;
    try {
      // A regular file of bounded size (a FIFO named beats.json must not block the command).
      parsed = BeatsFile.parse(JSON.parse((await readRegularText(userPath(b), { maxBytes: MAX_BEATS_FILE_BYTES })).text));
    } catch (error) {
      throw new StudioError('CLI_USAGE', `${b} is not a beats file (${(error as Error).message.split('\n')[0]?.slice(0, 120)})`);
    }
    const cues = Array.isArray(parsed) ? parsed : parsed.beats.map((m, i) => ({ timeSec: m.timeSec, label: m.id ?? `beat ${i + 1}` }));
    const r = await callJob(ctx, 'media.writeBeatCues', { songPath: userPath(a), out: userPath(args.options.out as string), cues, overwrite: (args.options.overwrite as boolean | undefined) ?? false });
    return { json: r, text: `Wrote ${r.cues} cue point(s) into ${r.out} (${r.sampleRate} Hz)` };
  },
};

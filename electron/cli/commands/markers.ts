/**
 * `musedance markers export|import`: a project's beat markers to and from Audacity label tracks, CSV
 * (Premiere-style) and FCPXML, with the same pure serializers/parsers the timeline uses, through the same
 * project channels (open, save, close) as the app.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MARKER_FORMATS, detectMarkerFormat, parseMarkers, serializeMarkers, type MarkerFormat } from '../../shared/domain/markers/index';
import type { BeatMarker } from '../../shared/domain/project';
import { StudioError } from '../../shared/result';
import type { CliCommand, CliContext } from '../command';
import { userPath } from '../job';
import { checkRegularFile, readRegularText } from '../../services/util/safe-open';
import { MAX_MARKER_FILE_CHARS } from '../../shared/domain/markers/marker-record';

const USAGE = 'markers export <project-dir> [--format audacity|csv|fcpxml] [--fps 24] [--out <file>] | markers import <project-dir> <file> [--format ...] [--fps 24]  [--json]';

function formatOption(value: unknown): MarkerFormat | undefined {
  if (value === undefined) return undefined;
  if (!MARKER_FORMATS.includes(value as MarkerFormat)) throw new StudioError('CLI_USAGE', `--format must be one of ${MARKER_FORMATS.join(', ')}.`);
  return value as MarkerFormat;
}

function fpsOption(value: unknown): number {
  const fps = (value as number | undefined) ?? 24;
  if (!(fps > 0 && fps <= 120)) throw new StudioError('CLI_USAGE', '--fps must be a frame rate from 1 to 120.');
  return fps;
}

async function songDurationSec(ctx: CliContext, dir: string, song: { path: string } | null, beats: BeatMarker[]): Promise<number> {
  const lastBeat = beats.reduce((m, b) => Math.max(m, b.timeSec), 0);
  if (!song) return lastBeat;
  // Only a song that really lies inside the project (no symlink out of it, of the file or of media/) is measured.
  const inside = await checkRegularFile(path.join(dir, song.path), { root: dir }).catch(() => null);
  if (!inside) {
    ctx.status(`warning: the song ${song.path} is missing or leaves the project folder; the markers end at the last beat.`);
    return lastBeat;
  }
  const r = await ctx.registry.dispatch('beats.analyse', { path: inside.path });
  return r.ok ? (r.value as { durationSec: number }).durationSec : lastBeat;
}

let idCounter = 0;
const newId = () => `m${Date.now().toString(36)}${(idCounter++).toString(36)}`;

export const markersCommand: CliCommand = {
  name: 'markers',
  summary: "Export a project's beat markers to Audacity/CSV/FCPXML, or import them from such a file",
  usage: USAGE,
  options: { format: 'string', fps: 'number', out: 'string' },
  async run(args, ctx) {
    const [sub, given, file, extra] = args.positional;
    if (!given || extra !== undefined || (sub !== 'export' && sub !== 'import') || (sub === 'import' ? !file : file !== undefined)) {
      throw new StudioError('CLI_USAGE', `usage: ${USAGE}`);
    }
    const dir = userPath(given);
    const fps = fpsOption(args.options.fps);
    const requested = formatOption(args.options.format);
    if (sub === 'export') {
      const opened = await ctx.call('project.open', { dir, readOnly: true });
      try {
        const format = requested ?? 'audacity';
        const { project } = opened;
        const text = serializeMarkers(format, project.beats, { fps, name: project.name, durationSec: await songDurationSec(ctx, dir, project.song, project.beats) });
        const out = args.options.out ? userPath(args.options.out as string) : null;
        if (out) fs.writeFileSync(out, text);
        return {
          json: { format, markers: project.beats.length, out, ...(out ? {} : { text }) },
          text: out ? `Wrote ${project.beats.length} markers (${format}) to ${out}` : text.trimEnd(),
        };
      } finally {
        await ctx.call('project.close', { discardUnsaved: false });
      }
    }
    const source = userPath(file!);
    // A regular file of bounded size, checked before reading: a FIFO named beats.txt must not block the command.
    const { text } = await readRegularText(source, { maxBytes: MAX_MARKER_FILE_CHARS, label: source, codes: { notFound: 'MARKERS_UNREADABLE', notAFile: 'MARKERS_UNREADABLE', unreadable: 'MARKERS_UNREADABLE', tooLarge: 'MARKERS_BAD_FILE', outsideRoot: 'MARKERS_UNREADABLE' } });
    const format = requested ?? detectMarkerFormat(source, text);
    const records = parseMarkers(format, text, { fps });
    const opened = await ctx.call('project.open', { dir });
    try {
      if (opened.readOnly) throw new StudioError('PROJECT_READ_ONLY', `${dir} is open elsewhere: ${opened.readOnlyReason ?? 'read-only'}.`);
      const beats: BeatMarker[] = records.map((r) => ({ id: newId(), timeSec: Math.round(r.timeSec * 1e6) / 1e6, source: r.source, anchored: r.anchored, ...(r.bar !== undefined ? { bar: r.bar } : {}) }));
      await ctx.call('project.save', { project: { ...opened.project, beats }, revision: 1, autosave: false });
      return { json: { format, imported: beats.length, replaced: opened.project.beats.length, dir }, text: `Imported ${beats.length} markers (${format}) into ${dir}, replacing ${opened.project.beats.length}` };
    } finally {
      await ctx.call('project.close', { discardUnsaved: false });
    }
  },
};

import type { CliCommand } from '../command';

const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check ffmpeg, ONNX Runtime providers, Python/torch, disk and memory',
  usage: 'doctor [--json]',
  options: {},
  async run(_args, ctx) {
    const r = await ctx.call('system.doctor', {});
    const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;
    const text = [
      `${mark(r.ffmpeg.found)} ffmpeg      ${r.ffmpeg.version ?? r.ffmpeg.error} ${r.ffmpeg.path ?? ''}`,
      `${mark(r.ffprobe.found)} ffprobe     ${r.ffprobe.version ?? r.ffprobe.error} ${r.ffprobe.path ?? ''}`,
      `${mark(r.onnxruntime.providers.length > 0)} onnxruntime ${r.onnxruntime.version ?? 'missing'} providers: ${r.onnxruntime.providers.join(', ') || 'none'}`,
      ...r.onnxruntime.details.map((d) => `       ${d.name}: ${d.available ? 'available' : 'unavailable'} (${d.reason})`),
      `       ${r.onnxruntime.selectedReason}`,
      `${mark(!!r.python.torch)} python      ${r.python.path} ${r.python.version ?? ''} torch ${r.python.torch ?? `missing (${r.python.error})`}`,
      `     disk        ${gb(r.disk.freeBytes)} free of ${gb(r.disk.totalBytes)} (${r.disk.path})`,
      `     memory      ${gb(r.memory.freeBytes)} free of ${gb(r.memory.totalBytes)}`,
      `     platform    ${r.platform.os} ${r.platform.arch}, node ${r.platform.node}, ${r.platform.cpus} CPUs`,
    ].join('\n');
    return { json: r, text };
  },
};

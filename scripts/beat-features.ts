/**
 * Writes the beat network's input features for every audio file of a folder, through the studio's own decoder
 * and spectrogram (`electron/services/audio/beat-net/features.ts`): one implementation for training and use.
 *
 *   npx tsx scripts/beat-features.ts <folder> [--force]
 *
 * For each `<id>.wav|mp3|ogg|flac` writes `<id>.mel.f32` (float32 little-endian, [frames, melBands] row-major)
 * and once `features.json` (the parameters; native-models refuses features made with others). One process for
 * the whole folder; a file whose .mel.f32 exists is skipped unless --force.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BEAT_NET_FEATURES, MelFrameBlocks } from '../electron/services/audio/beat-net/features';
import { OnsetStream } from '../electron/services/audio/onset-stream';
import { PcmDecodeJob } from '../electron/services/audio/pcm-decoder';

async function featuresOf(file: string, out: string): Promise<number> {
  const fd = fs.openSync(`${out}.part`, 'w');
  try {
    const sink = new MelFrameBlocks(2048, (block) => fs.writeSync(fd, Buffer.from(block.buffer, block.byteOffset, block.byteLength)));
    const stream = new OnsetStream(sink.onMelFrame);
    await new PcmDecodeJob(file, { ffmpegPath: process.env.MUSEDANCE_FFMPEG || 'ffmpeg', sampleRate: BEAT_NET_FEATURES.sampleRate, onSamples: (s) => stream.push(s) }).run();
    stream.finish();
    sink.flush();
    fs.closeSync(fd);
    fs.renameSync(`${out}.part`, out);
    return sink.frames;
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(`${out}.part`, { force: true });
    throw e;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir || !fs.existsSync(dir)) throw new Error('usage: npx tsx scripts/beat-features.ts <folder> [--force]');
  const force = args.includes('--force');
  fs.writeFileSync(path.join(dir, 'features.json'), `${JSON.stringify(BEAT_NET_FEATURES, null, 1)}\n`);
  const files = fs.readdirSync(dir).filter((f) => /\.(wav|mp3|ogg|flac)$/i.test(f)).sort();
  let made = 0;
  const started = Date.now();
  for (const f of files) {
    const out = path.join(dir, f.replace(/\.[^.]+$/, '.mel.f32'));
    if (!force && fs.existsSync(out)) continue;
    await featuresOf(path.join(dir, f), out);
    made++;
  }
  console.log(JSON.stringify({ folder: dir, files: files.length, made, seconds: (Date.now() - started) / 1000 }));
}

main().catch((e: unknown) => {
  console.error(`beat-features: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

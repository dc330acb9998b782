/**
 * The beat network as the analysis pipeline uses it (`BeatNetLoader`): loads `beat-net/` once per process (its
 * meta check says clearly when the model is missing or was trained on other features), names the model by the
 * hash of its graph (analyses are cached per model), and gives each song a stream that reads the mel frames of
 * the one decoding pass.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { BeatNetRunner } from './beat-net/inference';
import { defaultBeatNetDir } from './beat-net/model-files';
import type { BeatNetLoader, BeatNetSource } from './beat-pipeline';

export function beatNetLoader(modelDir: string = defaultBeatNetDir()): BeatNetLoader {
  let loaded: BeatNetSource | null = null;
  return async () => {
    if (loaded) return loaded;
    const runner = new BeatNetRunner({ modelDir }); // throws BEAT_NET_MISSING / BEAT_NET_INCOMPATIBLE with the path
    const id = crypto.createHash('sha256').update(fs.readFileSync(runner.model.onnxPath)).digest('hex').slice(0, 16);
    loaded = {
      id,
      start: () => {
        const stream = runner.stream();
        return { onMelFrame: stream.melSink.onMelFrame, finish: (frames: number) => stream.finish(frames) };
      },
      stop: () => runner.stop(),
    };
    return loaded;
  };
}

// Samples one K-frame segment of a pack with onnxruntime-node exactly as PACK.md describes (CFG batch of 2,
// DDIM eta 0), driven by the pack's golden inputs. Checks the golden sampling run (4 steps) and then times a
// full default-steps segment. Usage: node native-models/scripts/sample_segment.cjs <packDir> [numSteps]
// Prints BENCH lines and one JSON summary; exit 1 when the golden run does not match.
'use strict';
const fs = require('fs');
const path = require('path');
const repo = path.resolve(__dirname, '..', '..');
const ort = require(path.join(repo, 'node_modules', 'onnxruntime-node'));

function load(dir, index, name) {
  const e = index.tensors[name];
  const buf = fs.readFileSync(path.join(dir, e.file));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return new ort.Tensor(e.dtype, e.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab), e.shape);
}

function ddim(s) {   // mirrors musedance_models/schedulers/ddim.py
  const n = s.numTrainTimesteps;
  const a = Math.sqrt(s.betaStart), b = Math.sqrt(s.betaEnd);
  const alphasCumprod = new Float64Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    const beta = Math.fround(Math.pow(a + (b - a) * i / (n - 1), 2));
    acc = Math.fround(acc * Math.fround(1 - beta));
    alphasCumprod[i] = acc;
  }
  return {
    timesteps(numSteps) {
      const ratio = Math.floor(n / numSteps);
      return Array.from({ length: numSteps }, (_, i) => (numSteps - 1 - i) * ratio + s.stepsOffset);
    },
    step(eps, t, x, numSteps) {
      const ratio = Math.floor(n / numSteps);
      const prevT = t - ratio;
      const aT = alphasCumprod[t];
      const aP = prevT >= 0 ? alphasCumprod[prevT] : (s.setAlphaToOne ? 1 : alphasCumprod[0]);
      const out = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const x0 = (x[i] - Math.sqrt(1 - aT) * eps[i]) / Math.sqrt(aT);
        out[i] = Math.sqrt(aP) * x0 + Math.sqrt(1 - aP) * eps[i];
      }
      return out;
    },
  };
}

async function main() {
  const packDir = path.resolve(process.argv[2]);
  const manifest = JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8'));
  const gdir = path.join(packDir, 'golden');
  const index = JSON.parse(fs.readFileSync(path.join(gdir, 'index.json'), 'utf8'));
  const sess = {};
  for (const [name, g] of Object.entries(manifest.graphs)) sess[name] = await ort.InferenceSession.create(path.join(packDir, g.file));
  const cfg = manifest.config;
  const K = cfg.framesPerSegment, C = cfg.latentChannels, M = cfg.motionFrames;
  const h = cfg.height / cfg.vaeDownsample, w = cfg.width / cfg.vaeDownsample;
  const frameSize = C * h * w;
  const sched = ddim(manifest.scheduler);

  async function segment(numSteps, guidance) {
    const t0 = Date.now();
    const cond = (await sess.text_encoder.run({ input_ids: load(gdir, index, 'text_encoder.input_ids') })).text_embeds;
    const uncond = (await sess.text_encoder.run({ input_ids: load(gdir, index, 'text_encoder.uncond_input_ids') })).text_embeds;
    const music = (await sess.audio_encoder.run({ fbank: load(gdir, index, 'fbank.features') })).music_tokens;
    const ref = (await sess.vae_encoder.run({ image: load(gdir, index, 'vae_encoder.image') })).latents;
    const feats = await sess.reference_net.run({ ref_latents: ref, text_embeds: cond });
    const cat2 = (a, b) => { const o = new Float32Array(a.length * 2); o.set(a); o.set(b, a.length); return o; };
    const text = new ort.Tensor('float32', cat2(cond.data, uncond.data), [2, ...cond.dims.slice(1)]);
    const mus = new ort.Tensor('float32', cat2(music.data, new Float32Array(music.data.length)), [2, ...music.dims.slice(1)]);
    const beats1 = load(gdir, index, 'sampling.beat_onehot').data;
    const beats = new ort.Tensor('float32', cat2(beats1, new Float32Array(K)), [2, K]);
    const motion1 = new Float32Array(M * frameSize);
    for (let m = 0; m < M; m++) motion1.set(ref.data, m * frameSize);   // first segment: reference repeated
    const motion = new ort.Tensor('float32', cat2(motion1, motion1), [2, M, C, h, w]);
    let lat = Float32Array.from(load(gdir, index, 'sampling.noise').data);
    const perStep = [];
    const timesteps = sched.timesteps(numSteps);
    for (const t of timesteps) {
      const feeds = { latents: new ort.Tensor('float32', cat2(lat, lat), [2, K, C, h, w]),
        timestep: new ort.Tensor('float32', new Float32Array([t]), [1]), text_embeds: text, music_tokens: mus,
        beat_onehot: beats, motion_latents: motion };
      for (const n of Object.keys(feats)) feeds[n] = feats[n];
      const eps = (await sess.unet.run(feeds)).noise_pred.data;
      const n = lat.length, guided = new Float32Array(n);
      for (let i = 0; i < n; i++) guided[i] = eps[n + i] + guidance * (eps[i] - eps[n + i]);
      lat = sched.step(guided, t, lat, numSteps);
      perStep.push(lat);
    }
    const tDecode = Date.now();
    const frames = [];
    for (let k = 0; k < K; k++) {
      const z = new ort.Tensor('float32', lat.slice(k * frameSize, (k + 1) * frameSize), [1, C, h, w]);
      frames.push((await sess.vae_decoder.run({ latents: z })).image.data);
    }
    return { ms: Date.now() - t0, decodeMs: Date.now() - tDecode, timesteps, lat, perStep, frames };
  }

  const g = index.sampling;
  const golden = await segment(g.numSteps, g.guidanceScale);
  const want = load(gdir, index, g.outputs.final_latents).data;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(golden.lat[i] - want[i]));
  const wantFrames = load(gdir, index, g.outputs.frames).data;
  let maxFrame = 0;
  golden.frames.forEach((f, k) => { for (let i = 0; i < f.length; i++) maxFrame = Math.max(maxFrame, Math.abs(Math.max(-1, Math.min(1, f[i])) - wantFrames[k * f.length + i])); });
  const timestepsMatch = JSON.stringify(golden.timesteps) === JSON.stringify(g.timesteps);
  const stepDiffs = g.outputs.latents_per_step.map((name, i) => {
    const w = load(gdir, index, name).data; let m = 0;
    for (let j = 0; j < w.length; j++) m = Math.max(m, Math.abs(golden.perStep[i][j] - w[j]));
    return m;
  });
  const steps = Number(process.argv[3] || manifest.scheduler.defaultNumSteps);
  const full = process.env.GOLDEN_ONLY ? { ms: 0, decodeMs: 0 } : await segment(steps, manifest.scheduler.defaultGuidanceScale);
  const ok = timestepsMatch && maxAbs <= 1e-3 && maxFrame <= 2e-2;
  console.log(`BENCH tiny_segment_${steps}_steps_cpu ${full.ms} ms`);
  console.log(`BENCH tiny_segment_decode_${K}_frames_cpu ${full.decodeMs} ms`);
  console.log(JSON.stringify({ ok, timestepsMatch, stepDiffs, goldenFinalLatentsMaxAbs: maxAbs, goldenFramesMaxAbs: maxFrame, segmentMs: full.ms, steps, frames: K }));
  process.exit(ok ? 0 : 1);
}
main().catch((e) => { console.log(JSON.stringify({ ok: false, error: String(e && e.message || e) })); process.exit(1); });

/**
 * What is in each weight source the user pointed at, by file name only (nothing is read but sizes), so the
 * Training panel and `pack build` can say "found unet, vae, text encoder, tokenizer; missing nothing" before
 * a Python process starts. The importer (native-models/musedance_models/weights_import) is the authority on
 * the tensors themselves; these are the file names it looks for (tensor_sources.py, PACK.md).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SourceKind, SourceProbe } from '../../../shared/contract/pack-build';

const DIFFUSERS_WEIGHTS = [
  'diffusion_pytorch_model.safetensors',
  'diffusion_pytorch_model.safetensors.index.json',
  'diffusion_pytorch_model.fp16.safetensors',
  'diffusion_pytorch_model.bin',
  'diffusion_pytorch_model.bin.index.json',
  'diffusion_pytorch_model.fp16.bin',
];
const TRANSFORMERS_WEIGHTS = ['model.safetensors', 'model.safetensors.index.json', 'model.fp16.safetensors', 'pytorch_model.bin', 'pytorch_model.bin.index.json', 'pytorch_model.fp16.bin'];
const SINGLE_FILE_CHECKPOINT = /\.(ckpt|safetensors|pt|pth|bin)$/i;

interface Want {
  role: string;
  /** Alternatives, relative to the source folder; the first that exists is used. */
  files: string[];
  required: boolean;
}

const WANTS: Record<Exclude<SourceKind, 'motionModule'>, Want[]> = {
  sd15: [
    { role: 'unet weights', files: DIFFUSERS_WEIGHTS.map((f) => `unet/${f}`), required: true },
    { role: 'unet config', files: ['unet/config.json'], required: false },
    { role: 'vae weights', files: DIFFUSERS_WEIGHTS.map((f) => `vae/${f}`), required: true },
    { role: 'vae config', files: ['vae/config.json'], required: false },
    { role: 'text encoder weights', files: TRANSFORMERS_WEIGHTS.map((f) => `text_encoder/${f}`), required: true },
    { role: 'text encoder config', files: ['text_encoder/config.json'], required: false },
    { role: 'tokenizer vocab', files: ['tokenizer/vocab.json'], required: true },
    { role: 'tokenizer merges', files: ['tokenizer/merges.txt'], required: true },
    { role: 'pipeline index', files: ['model_index.json'], required: false },
  ],
  ast: [
    { role: 'AST weights', files: TRANSFORMERS_WEIGHTS, required: true },
    { role: 'AST config', files: ['config.json'], required: false },
  ],
  animateAnyone: [
    { role: 'reference UNet', files: ['reference_unet.pth'], required: true },
    { role: 'denoising UNet', files: ['denoising_unet.pth'], required: true },
    { role: 'motion module', files: ['motion_module.pth'], required: true },
    { role: 'pose guider (not used: MuseDance has no pose input)', files: ['pose_guider.pth'], required: false },
  ],
};

const sizeOf = async (file: string): Promise<number | null> => {
  const st = await fs.stat(file).catch(() => null);
  return st?.isFile() ? st.size : null;
};

async function probeFolder(kind: Exclude<SourceKind, 'motionModule'>, dir: string): Promise<SourceProbe> {
  const probe: SourceProbe = { kind, path: dir, ok: false, found: [], missing: [], notes: [] };
  const st = await fs.stat(dir).catch(() => null);
  if (!st) return { ...probe, missing: ['the folder itself'], notes: [`${dir} does not exist.`] };
  if (!st.isDirectory()) {
    const hint = SINGLE_FILE_CHECKPOINT.test(dir) ? ' Single-file checkpoints are not supported here: point at the diffusers/transformers folder.' : '';
    return { ...probe, missing: ['a folder'], notes: [`${dir} is a file, not a folder.${hint}`] };
  }
  for (const want of WANTS[kind]) {
    let hit: { file: string; bytes: number } | null = null;
    for (const rel of want.files) {
      const bytes = await sizeOf(path.join(dir, rel));
      if (bytes !== null) {
        hit = { file: rel, bytes };
        break;
      }
    }
    if (hit) probe.found.push({ role: want.role, ...hit });
    else if (want.required) probe.missing.push(`${want.role} (${want.files.slice(0, 2).join(' or ')}${want.files.length > 2 ? ', ...' : ''})`);
  }
  if (kind === 'sd15' && probe.missing.length === 4 && (await fs.readdir(dir).catch(() => [] as string[])).some((f) => SINGLE_FILE_CHECKPOINT.test(f))) {
    probe.notes.push('This folder holds a single-file checkpoint; the importer reads the diffusers layout (unet/, vae/, text_encoder/, tokenizer/).');
  }
  if (kind === 'animateAnyone') probe.notes.push("The pose guider has no counterpart in MuseDance and is not loaded; the UNets' cross-attention was trained on image embeddings, so text prompts steer it weakly until fine-tuned.");
  probe.ok = probe.missing.length === 0;
  return probe;
}

async function probeMotionModule(file: string): Promise<SourceProbe> {
  const probe: SourceProbe = { kind: 'motionModule', path: file, ok: false, found: [], missing: [], notes: [] };
  const bytes = await sizeOf(file);
  if (bytes === null) return { ...probe, missing: ['the motion module file'], notes: [`${file} is not a file (expected mm_sd_v15*.ckpt or .safetensors).`] };
  if (!/\.(ckpt|safetensors|pt|pth)$/i.test(file)) probe.notes.push('Expected a .ckpt or .safetensors AnimateDiff motion module.');
  probe.found.push({ role: 'AnimateDiff motion module', file: path.basename(file), bytes });
  probe.notes.push('Its frame position table is shorter than K + M: the importer extends it (PACK.md).');
  probe.ok = true;
  return probe;
}

/** Probes every source given (in a fixed order). */
export async function probeSources(sources: Partial<Record<SourceKind, string>>): Promise<SourceProbe[]> {
  const out: SourceProbe[] = [];
  for (const kind of ['sd15', 'ast', 'animateAnyone', 'motionModule'] as const) {
    const p = sources[kind];
    if (!p) continue;
    out.push(kind === 'motionModule' ? await probeMotionModule(p) : await probeFolder(kind, p));
  }
  return out;
}

/**
 * Validates a model pack folder completely BEFORE any ONNX Runtime session exists (PACK.md): the manifest
 * against the schema, every file listed (inside the pack after resolving symlinks, a regular file, the
 * declared size and sha256), every graph parsed as ONNX with its inputs/outputs equal to the manifest's and to
 * the interface PACK.md fixes for that graph, and the tokenizer files. The first failure stops validation and
 * is reported with a code and a message naming the field or file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import type { PackValidation } from '../../shared/domain/model-pack';
import { describeManifestIssues, GRAPH_NAMES, Manifest, MANIFEST_FILE, type GraphName, type TensorSpec } from './manifest';
import { InferenceErrorCodes as E } from './pack-errors';
import { ONNX_ELEM_TYPES, OnnxParseError, readGraphSignature } from './onnx-graph-signature';
import { parseMerges, parseVocab, TokenizerError, START_OF_TEXT, END_OF_TEXT } from './clip-tokenizer';
import { readRegularFile, readRegularText } from '../util/safe-open';

/** A manifest is small; anything bigger is not one (and would be slow to parse). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/**
 * Graph protobufs are read whole to check their signature; external data is hashed but not parsed. Node reads
 * at most 2 GiB - 1 bytes into one buffer (and protobuf caps a message at 2 GiB), so 2^31 bytes is already over.
 */
export const MAX_GRAPH_PROTO_BYTES = 2 * 1024 ** 3 - 1;
/** vocab.json and merges.txt are parsed whole; CLIP's are ~2 MB and ~0.5 MB. */
export const MAX_TOKENIZER_FILE_BYTES = 64 * 1024 * 1024;
const HASH_CHUNK_BYTES = 4 * 1024 * 1024;

export interface ValidPack {
  /** Real path of the pack folder. */
  dir: string;
  manifest: Manifest;
  /** Absolute path of each graph file. */
  graphFiles: Record<GraphName, string>;
  totalBytes: number;
  vocabText: string;
  mergesText: string;
}

type Check = PackValidation['checks'][number];

/** Pack files are read through the safe opener (inside the pack, regular, size-limited) with the pack's codes. */
const packFileCodes = { notFound: E.fileMissing, notAFile: E.fileMissing, outsideRoot: E.pathUnsafe, tooLarge: E.fileTooLarge, unreadable: E.fileMissing, empty: E.fileMissing };

const isInside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** Hashes are cached by (real path, size, mtime) so re-validating a big pack in one session is cheap. */
const hashCache = new Map<string, string>();

async function sha256Of(file: string, stat: fs.Stats, signal?: AbortSignal): Promise<string> {
  const key = `${file}\0${stat.size}\0${stat.mtimeMs}`;
  const hit = hashCache.get(key);
  if (hit) return hit;
  const hash = createHash('sha256');
  const handle = await fs.promises.open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (!bytesRead) break;
      hash.update(chunk.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  const digest = hash.digest('hex');
  hashCache.set(key, digest);
  return digest;
}

/** The interface PACK.md fixes for each graph, from the manifest's config (n ReferenceNet features aside). */
export function expectedInterface(m: Manifest): Record<GraphName, { inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  const c = m.config;
  const f = m.precision === 'fp16' ? 'float16' : 'float32';
  const h = c.height / c.vaeDownsample;
  const w = c.width / c.vaeDownsample;
  const t = (name: string, shape: number[], dtype: TensorSpec['dtype'] = f): TensorSpec => ({ name, dtype, shape });
  const refFeats = m.graphs.reference_net.outputs;
  return {
    text_encoder: { inputs: [t('input_ids', [1, 77], 'int64')], outputs: [t('text_embeds', [1, 77, c.textDim])] },
    audio_encoder: { inputs: [t('fbank', [1, m.audio.fbankFrames, 128])], outputs: [t('music_tokens', [1, c.musicTokens, c.audioDim])] },
    vae_encoder: { inputs: [t('image', [1, 3, c.height, c.width])], outputs: [t('latents', [1, c.latentChannels, h, w])] },
    vae_decoder: { inputs: [t('latents', [1, c.latentChannels, h, w])], outputs: [t('image', [1, 3, c.height, c.width])] },
    reference_net: {
      inputs: [t('ref_latents', [1, c.latentChannels, h, w]), t('text_embeds', [1, 77, c.textDim])],
      outputs: refFeats.map((r, i) => t(`ref_feat_${i}`, r.shape)),
    },
    unet: {
      inputs: [
        t('latents', [2, c.framesPerSegment, c.latentChannels, h, w]),
        t('timestep', [1]),
        t('text_embeds', [2, 77, c.textDim]),
        t('music_tokens', [2, c.musicTokens, c.audioDim]),
        t('beat_onehot', [2, c.framesPerSegment]),
        t('motion_latents', [2, c.motionFrames, c.latentChannels, h, w]),
        ...refFeats.map((r, i) => t(`ref_feat_${i}`, r.shape)),
      ],
      outputs: [t('noise_pred', [2, c.framesPerSegment, c.latentChannels, h, w])],
    },
  };
}

const fmt = (s: TensorSpec) => `${s.name} ${s.dtype}[${s.shape.join(',')}]`;

/** Same names (any order), dtypes and shapes; returns the first difference in words, or null. */
export function compareTensors(label: string, declared: TensorSpec[], actual: TensorSpec[], options: { unknownDimsMatch?: boolean } = {}): string | null {
  for (const d of declared) {
    const a = actual.find((x) => x.name === d.name);
    if (!a) return `${label}: ${d.name} is declared but the graph has no such tensor (graph has ${actual.map((x) => x.name).join(', ').slice(0, 300)})`;
    // Exporters often leave output dims symbolic (shape inference stops at some ops); those are checked on the
    // tensors each run returns instead. Input dims must be static and equal.
    const dimDiffers = (v: number, i: number) => v !== d.shape[i] && !(options.unknownDimsMatch && v < 0);
    if (a.dtype !== d.dtype || (a.shape.length !== d.shape.length && !(options.unknownDimsMatch && a.shape.length === 0)) || a.shape.some(dimDiffers)) return `${label}: declared ${fmt(d)} but the graph has ${fmt(a)}`;
  }
  for (const a of actual) if (!declared.some((d) => d.name === a.name)) return `${label}: the graph has ${a.name}, which the manifest does not declare`;
  return null;
}

const dtypeName = (elemType: number): TensorSpec['dtype'] | `type${number}` =>
  (Object.entries(ONNX_ELEM_TYPES).find(([, v]) => v === elemType)?.[0] as TensorSpec['dtype'] | undefined) ?? `type${elemType}`;

export interface ValidateOptions {
  signal?: AbortSignal;
  /** Skip sha256 (only for listing many packs quickly; loading always hashes). */
  skipHashes?: boolean;
  onCheck?(check: Check): void;
}

export async function validatePack(dirIn: string, options: ValidateOptions = {}): Promise<{ report: PackValidation; pack: ValidPack | null }> {
  const checks: Check[] = [];
  const pass = (name: string, detail: string) => {
    const c = { name, ok: true, detail };
    checks.push(c);
    options.onCheck?.(c);
  };
  let name: string | null = null;
  try {
    const pack = await validateSteps(dirIn, pass, options, (n) => (name = n));
    return { report: { dir: pack.dir, valid: true, name, checks, error: null }, pack };
  } catch (error) {
    if (!(error instanceof StudioError)) throw error;
    const failed = { name: 'failed', ok: false, detail: error.message };
    checks.push(failed);
    options.onCheck?.(failed);
    return { report: { dir: dirIn, valid: false, name, checks, error: { code: error.code, message: error.message } }, pack: null };
  }
}

/** Like validatePack but throws the StudioError of the first failure. */
export async function loadValidPack(dir: string, options: ValidateOptions = {}): Promise<ValidPack> {
  const { report, pack } = await validatePack(dir, options);
  if (!pack) throw new StudioError(report.error!.code, report.error!.message);
  return pack;
}

async function validateSteps(dirIn: string, pass: (name: string, detail: string) => void, options: ValidateOptions, setName: (n: string) => void): Promise<ValidPack> {
  let dir: string;
  try {
    dir = await fs.promises.realpath(path.resolve(dirIn));
    if (!(await fs.promises.stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new StudioError(E.packNotFound, `Model pack folder ${dirIn} does not exist or is not a folder.`);
  }

  // Every file we open must resolve (symlinks included) to a regular file inside the pack.
  const resolveInside = async (rel: string, field: string): Promise<{ file: string; stat: fs.Stats }> => {
    if (rel.includes('\0') || path.isAbsolute(rel) || rel.split(/[\\/]/).some((s) => s === '..')) throw new StudioError(E.pathUnsafe, `${field}: ${JSON.stringify(rel)} leaves the pack folder.`);
    const candidate = path.resolve(dir, rel);
    if (!isInside(dir, candidate)) throw new StudioError(E.pathUnsafe, `${field}: ${JSON.stringify(rel)} leaves the pack folder.`);
    let real: string;
    try {
      real = await fs.promises.realpath(candidate);
    } catch {
      throw new StudioError(E.fileMissing, `${field}: ${rel} is missing from the pack.`);
    }
    if (!isInside(dir, real)) throw new StudioError(E.pathUnsafe, `${field}: ${rel} is a link to ${real}, outside the pack folder.`);
    const stat = await fs.promises.stat(real);
    if (!stat.isFile()) throw new StudioError(E.fileMissing, `${field}: ${rel} is not a regular file.`);
    return { file: real, stat };
  };

  const manifestPath = await resolveInside(MANIFEST_FILE, 'manifest.json').catch((e: unknown) => {
    if (e instanceof StudioError && e.code === E.fileMissing) throw new StudioError(E.manifestInvalid, `${dirIn} has no manifest.json: not a model pack.`);
    throw e;
  });
  if (manifestPath.stat.size > MAX_MANIFEST_BYTES) throw new StudioError(E.manifestInvalid, `manifest.json is ${manifestPath.stat.size} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}.`);
  let raw: unknown;
  try {
    raw = JSON.parse((await readRegularText(manifestPath.file, { root: dir, maxBytes: MAX_MANIFEST_BYTES, codes: packFileCodes })).text);
  } catch (error) {
    throw new StudioError(E.manifestInvalid, `manifest.json is not valid JSON (${error instanceof Error ? error.message.slice(0, 200) : 'parse error'}).`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new StudioError(E.manifestInvalid, `manifest.json: ${describeManifestIssues(parsed.error)}`);
  const manifest = parsed.data;
  setName(manifest.name);
  pass('manifest schema', `schemaVersion 1, "${manifest.name}", ${manifest.config.height}x${manifest.config.width}, K=${manifest.config.framesPerSegment}, M=${manifest.config.motionFrames}`);

  // Pack-level consistency the JSON Schema cannot express.
  const c = manifest.config;
  if (c.guideChannels > 0) throw new StudioError(E.unsupported, `config.guideChannels is ${c.guideChannels}: this studio cannot supply a DensePose guide input.`);
  if (manifest.precision !== 'fp32') throw new StudioError(E.unsupported, `precision: ${manifest.precision} packs are not supported by this engine yet; export the pack in fp32.`);
  if (c.height % c.vaeDownsample || c.width % c.vaeDownsample) throw new StudioError(E.manifestInvalid, `config: height/width must be multiples of vaeDownsample (${c.vaeDownsample}).`);
  const expectSamples = Math.round((c.framesPerSegment / c.fps) * 16000);
  if (manifest.audio.segmentSamples !== expectSamples) throw new StudioError(E.manifestInvalid, `audio.segmentSamples is ${manifest.audio.segmentSamples}, but K/fps*16000 is ${expectSamples}.`);
  if (manifest.scheduler.defaultNumSteps > manifest.scheduler.numTrainTimesteps) throw new StudioError(E.manifestInvalid, 'scheduler.defaultNumSteps exceeds numTrainTimesteps.');
  const referenced: Array<[string, string]> = [
    ...GRAPH_NAMES.flatMap((g): Array<[string, string]> => {
      const spec = manifest.graphs[g];
      return spec.externalData ? [[`graphs.${g}.file`, spec.file], [`graphs.${g}.externalData`, spec.externalData]] : [[`graphs.${g}.file`, spec.file]];
    }),
    ['tokenizer.vocab', manifest.tokenizer.vocab],
    ['tokenizer.merges', manifest.tokenizer.merges],
    ['weights.file', manifest.weights.file],
    ...(manifest.golden ? ([['golden.index', manifest.golden.index]] as Array<[string, string]>) : []),
  ];
  for (const [field, rel] of referenced) if (!manifest.files[rel]) throw new StudioError(E.manifestInvalid, `${field}: ${rel} is not listed in files.`);
  for (const g of GRAPH_NAMES) {
    if (manifest.files[manifest.graphs[g].file]!.sha256 !== manifest.graphs[g].sha256) throw new StudioError(E.manifestInvalid, `graphs.${g}.sha256 differs from files["${manifest.graphs[g].file}"].sha256.`);
  }
  if (manifest.files[manifest.weights.file]!.sha256 !== manifest.weights.sha256) throw new StudioError(E.manifestInvalid, 'weights.sha256 differs from its files entry.');
  const expected = expectedInterface(manifest);
  for (const g of GRAPH_NAMES) {
    const spec = manifest.graphs[g];
    const problem = compareTensors(`graphs.${g}.inputs`, expected[g].inputs, spec.inputs) ?? compareTensors(`graphs.${g}.outputs`, expected[g].outputs, spec.outputs);
    if (problem) throw new StudioError(E.manifestInvalid, `${problem} (PACK.md fixes this interface).`);
  }
  pass('graph interfaces', 'the six graphs declare the tensors PACK.md fixes for this config');

  // Files: inside the pack, regular, declared size, sha256.
  let totalBytes = 0;
  const resolved = new Map<string, string>();
  // Files read whole later are refused from their size now, before anything hashes or reads them.
  const readWhole = new Map<string, { limit: number; field: string }>([
    ...GRAPH_NAMES.map((g): [string, { limit: number; field: string }] => [manifest.graphs[g].file, { limit: MAX_GRAPH_PROTO_BYTES, field: `graphs.${g}` }]),
    [manifest.tokenizer.vocab, { limit: MAX_TOKENIZER_FILE_BYTES, field: 'tokenizer.vocab' }],
    [manifest.tokenizer.merges, { limit: MAX_TOKENIZER_FILE_BYTES, field: 'tokenizer.merges' }],
  ]);
  for (const [rel, entry] of Object.entries(manifest.files)) {
    options.signal?.throwIfAborted();
    const { file, stat } = await resolveInside(rel, `files["${rel}"]`);
    const whole = readWhole.get(rel);
    if (whole && Math.max(stat.size, entry.bytes) > whole.limit) {
      const size = Math.max(stat.size, entry.bytes);
      if (whole.field.startsWith('graphs.')) throw new StudioError(E.graphTooLarge, `${whole.field}: ${rel} is ${size} bytes; a graph file must be under 2 GiB (${MAX_GRAPH_PROTO_BYTES + 1} bytes): larger weights must be ONNX external data.`);
      throw new StudioError(E.fileTooLarge, `${whole.field}: ${rel} is ${size} bytes; at most ${MAX_TOKENIZER_FILE_BYTES} are read.`);
    }
    if (stat.size !== entry.bytes) throw new StudioError(E.fileSize, `files["${rel}"]: ${rel} is ${stat.size} bytes, the manifest says ${entry.bytes}.`);
    if (!options.skipHashes) {
      const digest = await sha256Of(file, stat, options.signal);
      if (digest !== entry.sha256) throw new StudioError(E.checksum, `files["${rel}"]: sha256 of ${rel} is ${digest.slice(0, 12)}…, the manifest says ${entry.sha256.slice(0, 12)}… (file changed or corrupt).`);
    }
    totalBytes += stat.size;
    resolved.set(rel, file);
  }
  pass('files', `${resolved.size} files inside the pack, sizes ${options.skipHashes ? 'match (hashes skipped)' : 'and sha256 match'}, ${(totalBytes / 1024 ** 2).toFixed(1)} MB`);

  // Graphs: real ONNX protobufs whose signatures equal the manifest's.
  const graphFiles = {} as Record<GraphName, string>;
  for (const g of GRAPH_NAMES) {
    const spec = manifest.graphs[g];
    const file = resolved.get(spec.file)!;
    const size = manifest.files[spec.file]!.bytes;
    if (size > MAX_GRAPH_PROTO_BYTES) throw new StudioError(E.graphTooLarge, `graphs.${g}: ${spec.file} is ${size} bytes; a graph file must be under 2 GiB: larger weights must be ONNX external data.`);
    let signature;
    try {
      signature = readGraphSignature((await readRegularFile(file, { root: dir, maxBytes: MAX_GRAPH_PROTO_BYTES, codes: { ...packFileCodes, tooLarge: E.graphTooLarge } })).bytes);
    } catch (error) {
      if (error instanceof OnnxParseError) throw new StudioError(E.graphCorrupt, `graphs.${g}: ${spec.file} is not a valid ONNX model (${error.message}).`);
      throw error;
    }
    const toSpec = (t: { name: string; elemType: number; shape: number[] }) => ({ name: t.name, dtype: dtypeName(t.elemType) as TensorSpec['dtype'], shape: t.shape });
    const problem = compareTensors(`graphs.${g}.inputs`, spec.inputs, signature.inputs.map(toSpec)) ?? compareTensors(`graphs.${g}.outputs`, spec.outputs, signature.outputs.map(toSpec), { unknownDimsMatch: true });
    if (problem) throw new StudioError(E.graphMismatch, `${problem} (in ${spec.file}).`);
    // ONNX Runtime opens external data relative to the graph file: it must be the declared (hashed) file.
    const graphDir = path.posix.dirname(spec.file);
    for (const loc of signature.externalLocations) {
      const rel = path.posix.normalize(graphDir === '.' ? loc : `${graphDir}/${loc}`);
      if (rel !== spec.externalData) throw new StudioError(E.graphMismatch, `graphs.${g}: ${spec.file} reads external data from ${JSON.stringify(loc)}, which is not its declared externalData (${spec.externalData ?? 'none'}).`);
    }
    graphFiles[g] = file;
  }
  pass('onnx graphs', 'all six graphs parse as ONNX and their inputs/outputs match the manifest');

  let vocabText: string;
  let mergesText: string;
  try {
    vocabText = (await readRegularText(resolved.get(manifest.tokenizer.vocab)!, { root: dir, maxBytes: MAX_TOKENIZER_FILE_BYTES, codes: packFileCodes })).text;
    mergesText = (await readRegularText(resolved.get(manifest.tokenizer.merges)!, { root: dir, maxBytes: MAX_TOKENIZER_FILE_BYTES, codes: packFileCodes })).text;
    const vocab = parseVocab(vocabText);
    parseMerges(mergesText);
    const t = manifest.tokenizer;
    if (vocab.get(START_OF_TEXT) !== t.bosTokenId) throw new TokenizerError(`tokenizer.bosTokenId is ${t.bosTokenId} but vocab maps ${START_OF_TEXT} to ${vocab.get(START_OF_TEXT)}`);
    if (vocab.get(END_OF_TEXT) !== t.eosTokenId) throw new TokenizerError(`tokenizer.eosTokenId is ${t.eosTokenId} but vocab maps ${END_OF_TEXT} to ${vocab.get(END_OF_TEXT)}`);
    // A loop, not Math.max(...values): a 300,000-entry vocab would overflow the call stack as arguments.
    let maxId = -1;
    for (const id of vocab.values()) if (id > maxId) maxId = id;
    if (maxId >= t.vocabSize || t.padTokenId >= t.vocabSize) throw new TokenizerError(`tokenizer.vocabSize ${t.vocabSize} is smaller than the ids in use (max ${Math.max(maxId, t.padTokenId)})`);
  } catch (error) {
    if (error instanceof TokenizerError) throw new StudioError(E.tokenizer, `tokenizer: ${error.message}.`);
    throw error;
  }
  pass('tokenizer', 'vocab.json and merges.txt parse; special token ids match the manifest');
  return { dir, manifest, graphFiles, totalBytes, vocabText, mergesText };
}

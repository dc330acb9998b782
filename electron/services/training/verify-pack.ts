/**
 * Checks an exported pack before it is registered: the manifest's training-relevant fields, and every file the
 * manifest lists (`files`: relative path -> sha256, bytes) present, inside the pack and byte-identical.
 * This is PACK.md's integrity rule; the inference engine's loader additionally checks graph tensors against
 * ONNX Runtime sessions when it opens the pack.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { StudioError } from '../../shared/result';
import { TrainingErrorCodes } from '../../shared/domain/training';
import { sha256File } from './checkpoint-ledger';
import { readPackInfo, type PackInfo } from './pack-info';

const REQUIRED_GRAPHS = ['text_encoder', 'audio_encoder', 'vae_encoder', 'vae_decoder', 'reference_net', 'unet'];

export async function verifyPackFiles(dir: string): Promise<PackInfo & { files: number }> {
  const info = await readPackInfo(dir);
  const manifest = JSON.parse(await fs.readFile(path.join(info.dir, 'manifest.json'), 'utf8')) as {
    files?: Record<string, { sha256: string; bytes: number }>;
    graphs?: Record<string, { file: string }>;
  };
  const fail = (message: string): never => {
    throw new StudioError(TrainingErrorCodes.packInvalid, `${info.dir}: ${message}`);
  };
  const files = manifest.files ?? fail('manifest.json lists no files.');
  for (const graph of REQUIRED_GRAPHS) {
    const file = manifest.graphs?.[graph]?.file;
    if (!file) fail(`manifest.json has no ${graph} graph.`);
    if (!files[file!]) fail(`graph ${graph} (${file}) is not listed in files.`);
  }
  for (const [rel, expected] of Object.entries(files)) {
    const abs = path.resolve(info.dir, rel);
    if (path.relative(info.dir, abs).startsWith('..') || path.isAbsolute(rel)) fail(`file ${rel} leaves the pack folder.`);
    const stat = await fs.lstat(abs).catch(() => null);
    if (!stat?.isFile()) fail(`file ${rel} is missing.`);
    if (stat!.size !== expected.bytes) fail(`file ${rel} has ${stat!.size} bytes; the manifest says ${expected.bytes}.`);
    if ((await sha256File(abs)) !== expected.sha256) fail(`file ${rel} does not match its sha256.`);
  }
  if (!info.weightsPath) fail('the pack carries no PyTorch weights (weights.fp16.pt).');
  return { ...info, files: Object.keys(files).length };
}

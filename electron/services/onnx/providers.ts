/**
 * Which ONNX Runtime execution providers work here, and which one the studio uses.
 * CUDA is preferred when the CUDA build of onnxruntime-node is installed (ONNXRUNTIME_NODE_INSTALL=cuda12);
 * asking for it without its libraries throws, which we catch and report as the reason for using CPU.
 */
import { createRequire } from 'node:module';
import type { ProviderStatus } from '../../shared/domain/doctor';
import { identityModelBytes } from './probe-model';

const require = createRequire(import.meta.url);

export interface ProviderSelection {
  version: string | null;
  details: ProviderStatus[];
  providers: string[];
  selected: 'cuda' | 'cpu';
  selectedReason: string;
}

/** What every CPU-only user reads: no raw library error, and where to look for the details. */
export const CPU_FALLBACK_REASON =
  'Using the CPU: no NVIDIA GPU with the CUDA build of ONNX Runtime was found (normal on most computers; System → Doctor has the details).';

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

let cached: Promise<ProviderSelection> | null = null;

export function probeProviders(): Promise<ProviderSelection> {
  cached ??= probeOnce();
  return cached;
}

async function probeOnce(): Promise<ProviderSelection> {
  let ort: typeof import('onnxruntime-node');
  let version: string | null = null;
  try {
    ort = require('onnxruntime-node');
    version = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch (error) {
    return {
      version: null,
      details: [{ name: 'cpu', available: false, reason: `onnxruntime-node failed to load: ${firstLine(error)}` }],
      providers: [],
      selected: 'cpu',
      selectedReason: 'ONNX Runtime is not usable; reinstall with `npm run setup`.',
    };
  }
  // The failed CUDA probe is expected on most machines; keep ORT's own error log out of the terminal.
  ort.env.logLevel = 'fatal';
  const model = identityModelBytes();
  const details: ProviderStatus[] = [];
  for (const name of ['cuda', 'cpu'] as const) {
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [name] });
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1.5]), [1]) });
      await session.release();
      const y = out.y?.data as Float32Array | undefined;
      if (!y || y[0] !== 1.5) throw new Error('probe session returned a wrong value');
      details.push({ name, available: true, reason: name === 'cuda' ? 'CUDA build of onnxruntime-node created a session' : 'bundled with onnxruntime-node' });
    } catch (error) {
      const reason =
        name === 'cuda'
          ? `CUDA provider unavailable (${firstLine(error)}); install the CUDA build with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with an NVIDIA GPU`
          : `CPU provider failed: ${firstLine(error)}`;
      details.push({ name, available: false, reason });
    }
  }
  const providers = details.filter((d) => d.available).map((d) => d.name);
  const cuda = details.find((d) => d.name === 'cuda')!;
  return {
    version,
    details,
    providers,
    selected: cuda.available ? 'cuda' : 'cpu',
    // The raw ORT message ("OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library…") stays in
    // `details` (System → Doctor); the main panel says in words why the CPU is used (issue 23 #9).
    selectedReason: cuda.available ? 'Using CUDA (GPU).' : CPU_FALLBACK_REASON,
  };
}

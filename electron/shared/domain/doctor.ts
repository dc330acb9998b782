import { z } from 'zod';

const ToolStatus = z.object({
  found: z.boolean(),
  path: z.string().nullable(),
  version: z.string().nullable(),
  /** Why the tool is unusable, in words, when `found` is false. */
  error: z.string().nullable(),
});

export const ProviderStatus = z.object({
  name: z.string(),
  available: z.boolean(),
  /** Why it is (not) used, e.g. "CUDA build of onnxruntime-node not installed". */
  reason: z.string(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const DoctorReport = z.object({
  ffmpeg: ToolStatus,
  ffprobe: ToolStatus,
  onnxruntime: z.object({
    version: z.string().nullable(),
    /** Execution providers that created a session on this machine, in preference order. */
    providers: z.array(z.string()),
    details: z.array(ProviderStatus),
    /** The provider the studio will use and why. */
    selected: z.string(),
    selectedReason: z.string(),
  }),
  python: z.object({
    path: z.string(),
    found: z.boolean(),
    version: z.string().nullable(),
    torch: z.string().nullable(),
    error: z.string().nullable(),
  }),
  disk: z.object({ path: z.string(), freeBytes: z.number(), totalBytes: z.number() }),
  memory: z.object({ totalBytes: z.number(), freeBytes: z.number() }),
  platform: z.object({ os: z.string(), arch: z.string(), node: z.string(), cpus: z.number() }),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

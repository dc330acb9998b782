import { z } from 'zod';
import { channel, JobId } from './channel';
import { DoctorReport } from '../domain/doctor';

export const systemChannels = {
  'system.info': channel({
    summary: 'Studio version and the host it runs in',
    request: z.object({}).strict(),
    reply: z.object({ version: z.string(), host: z.enum(['electron', 'web', 'cli', 'test']), platform: z.string() }),
  }),
  'system.doctor': channel({
    summary: 'Check ffmpeg, ONNX Runtime providers, Python/torch, disk and memory',
    request: z.object({}).strict(),
    reply: DoctorReport,
  }),
  'jobs.cancel': channel({
    summary: 'Cancel a running job',
    request: z.object({ jobId: JobId }).strict(),
    reply: z.object({ cancelled: z.boolean() }),
  }),
} as const;

export const systemEvents = {
  /** Progress of a long-running call started with a `jobId`. */
  'job.progress': z.object({
    jobId: JobId,
    channel: z.string(),
    /** 0..1, or null when the total is unknown. */
    fraction: z.number().min(0).max(1).nullable(),
    message: z.string().max(500),
    etaSec: z.number().nonnegative().nullable(),
  }),
} as const;

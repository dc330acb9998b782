/**
 * The JSON lines `python -m musedance_models.pack_build` writes on stdout (/work/team/20-interface.md, kept in
 * native-models' pack_build docstring): estimate, progress, report, done, error. Parsed leniently (extra fields
 * pass) so a newer builder does not break the studio; the fields the studio relies on are checked.
 */
import { z } from 'zod';

export const BuildEvent = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('estimate'),
      parameters: z.number().nullable().optional(),
      packBytes: z.number().nullable().optional(),
      buildBytes: z.number().nullable().optional(),
      config: z.record(z.string(), z.unknown()).nullable().optional(),
      inference: z.record(z.string(), z.unknown()).nullable().optional(),
      summary: z.string().optional(),
    })
    .passthrough(),
  z.object({ type: z.literal('progress'), stage: z.string().optional(), fraction: z.number().nullable().optional(), message: z.string() }).passthrough(),
  z.object({ type: z.literal('report'), components: z.record(z.string(), z.unknown()).optional() }).passthrough(),
  z.object({ type: z.literal('done'), packDir: z.string().optional(), manifestPath: z.string().optional(), bytes: z.number().optional(), seconds: z.number().optional() }).passthrough(),
  z.object({ type: z.literal('error'), code: z.string().optional(), message: z.string() }).passthrough(),
]);
export type BuildEvent = z.infer<typeof BuildEvent>;
export type BuildEventOf<T extends BuildEvent['type']> = Extract<BuildEvent, { type: T }>;

/** One stdout line -> an event, or why it is not one (logged, never fatal). */
export function parseBuildLine(line: string): { event: BuildEvent } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { problem: `not JSON: ${line.slice(0, 200)}` };
  }
  const parsed = BuildEvent.safeParse(raw);
  if (!parsed.success) return { problem: `unexpected line: ${line.slice(0, 200)}` };
  return { event: parsed.data };
}

/**
 * Upgrades any released project.json to the current format, one version step at a time, and refuses files
 * from a newer studio instead of half-loading them. Works on plain JSON values (the output of the safe JSON
 * reader); the final document is checked against the current `Project` schema. Pure: no Node, no clock (the
 * caller passes `now` and an id factory), so the renderer and tests can use it too.
 */
import type { z } from 'zod';
import { Project, PROJECT_VERSION, ProjectV1 } from './project';

export interface MigrationContext {
  now: Date;
  newId: () => string;
  appVersion: string;
}

export type MigrationOutcome =
  | { ok: true; project: Project; fromVersion: number; migrated: boolean }
  | { ok: false; code: 'PROJECT_INVALID' | 'PROJECT_FROM_FUTURE'; message: string };

type JsonObject = Record<string, unknown>;
type Step = (doc: JsonObject, ctx: MigrationContext) => { ok: true; doc: JsonObject } | { ok: false; message: string };

const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `at ${issue.path.length ? issue.path.join('.') : 'top level'}: ${issue.message}`;
};

/** v1 (foundation) -> v2: adds identity, creation time and save metadata; keeps every v1 field as it was. */
const v1ToV2: Step = (doc, ctx) => {
  const parsed = ProjectV1.safeParse(doc);
  if (!parsed.success) return { ok: false, message: `project.json (format 1) is invalid ${describeIssue(parsed.error)}` };
  const now = ctx.now.toISOString();
  // Fields added to the document by later features pass through untouched (the final parse keeps or drops them).
  const { version: _v1, ...rest } = doc;
  return {
    ok: true,
    doc: {
      ...rest,
      ...parsed.data,
      version: 2,
      id: ctx.newId(),
      createdAt: now,
      saved: { seq: 0, savedAt: now, kind: 'migration', appVersion: ctx.appVersion },
      migratedFrom: [1],
    },
  };
};

/** `STEPS[n]` turns format n into format n + 1. Every released version below PROJECT_VERSION has one. */
const STEPS: Record<number, Step> = { 1: v1ToV2 };

export const RELEASED_PROJECT_VERSIONS = [1, 2] as const;

const isPlainObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function migrateProject(raw: unknown, ctx: MigrationContext): MigrationOutcome {
  if (!isPlainObject(raw)) return { ok: false, code: 'PROJECT_INVALID', message: 'project.json must hold a JSON object.' };
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, code: 'PROJECT_INVALID', message: 'project.json has no valid format "version" (expected a whole number from 1).' };
  }
  if (version > PROJECT_VERSION) {
    const saved = isPlainObject(raw.saved) && typeof raw.saved.appVersion === 'string' ? ` by MuseDance Studio ${raw.saved.appVersion.slice(0, 40)}` : '';
    return {
      ok: false,
      code: 'PROJECT_FROM_FUTURE',
      message: `This project was saved in format ${version}${saved}; this studio reads formats up to ${PROJECT_VERSION}. Update MuseDance Studio to open it (the file was not changed).`,
    };
  }
  let doc: JsonObject = raw;
  for (let v = version; v < PROJECT_VERSION; v++) {
    const step = STEPS[v];
    if (!step) return { ok: false, code: 'PROJECT_INVALID', message: `No migration from project format ${v}.` };
    const next = step(doc, ctx);
    if (!next.ok) return { ok: false, code: 'PROJECT_INVALID', message: `${next.message}.` };
    doc = next.doc;
  }
  const parsed = Project.safeParse(doc);
  if (!parsed.success) return { ok: false, code: 'PROJECT_INVALID', message: `project.json is invalid ${describeIssue(parsed.error)}.` };
  return { ok: true, project: parsed.data, fromVersion: version, migrated: version !== PROJECT_VERSION };
}

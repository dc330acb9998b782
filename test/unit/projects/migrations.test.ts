import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Project, PROJECT_VERSION, ProjectV1 } from '../../../electron/shared/domain/project';
import { migrateProject, RELEASED_PROJECT_VERSIONS } from '../../../electron/shared/domain/project-migrations';

const fixtures = path.resolve(__dirname, '../../fixtures/projects');
const ctx = { now: new Date('2026-11-27T22:00:00.000Z'), newId: () => 'migratedproject01', appVersion: '9.9.9' };
const load = (v: number): unknown => JSON.parse(fs.readFileSync(path.join(fixtures, `v${v}`, 'project.json'), 'utf8'));

describe('project format migrations', () => {
  it('has a committed fixture for every released version, and each loads as the current format', () => {
    for (const v of RELEASED_PROJECT_VERSIONS) {
      const raw = load(v) as { version: number };
      expect(raw.version).toBe(v);
      const r = migrateProject(raw, ctx);
      expect(r.ok, `fixture v${v}: ${!r.ok ? r.message : ''}`).toBe(true);
      if (r.ok) {
        expect(r.project.version).toBe(PROJECT_VERSION);
        expect(r.fromVersion).toBe(v);
        expect(Project.safeParse(r.project).success).toBe(true);
      }
    }
    expect(RELEASED_PROJECT_VERSIONS.at(-1)).toBe(PROJECT_VERSION);
  });

  it('v1 -> v2 keeps every v1 field and adds identity and save metadata', () => {
    const v1 = ProjectV1.parse(load(1));
    const r = migrateProject(load(1), ctx);
    if (!r.ok) throw new Error(r.message);
    const { version: _a, id, createdAt, saved, migratedFrom, ...rest } = r.project;
    const { version: _b, ...v1rest } = v1;
    expect(rest).toEqual(v1rest);
    expect(id).toBe('migratedproject01');
    expect(createdAt).toBe('2026-11-27T22:00:00.000Z');
    expect(saved).toEqual({ seq: 0, savedAt: '2026-11-27T22:00:00.000Z', kind: 'migration', appVersion: '9.9.9' });
    expect(migratedFrom).toEqual([1]);
    expect(r.migrated).toBe(true);
    // Defaults of v1 (take.stale, keptTakeId) are filled in.
    expect(r.project.segments[0]!.takes[0]!.stale).toBe(false);
    expect(r.project.segments[0]!.keptTakeId).toBeNull();
  });

  it('refuses a file from a newer studio with a clear message and does not half-load it', () => {
    const r = migrateProject({ ...(load(2) as object), version: 3, saved: { appVersion: '4.2.0' } }, ctx);
    expect(r).toMatchObject({ ok: false, code: 'PROJECT_FROM_FUTURE' });
    expect(!r.ok && r.message).toMatch(/format 3 by MuseDance Studio 4\.2\.0; this studio reads formats up to 2\. Update/);
  });

  it('refuses missing or nonsensical versions and invalid v1 content with the field that is wrong', () => {
    expect(migrateProject({ name: 'x' }, ctx)).toMatchObject({ ok: false, code: 'PROJECT_INVALID' });
    expect(migrateProject({ version: 0 }, ctx)).toMatchObject({ ok: false, code: 'PROJECT_INVALID' });
    expect(migrateProject({ version: 1.5 }, ctx)).toMatchObject({ ok: false, code: 'PROJECT_INVALID' });
    expect(migrateProject([1], ctx)).toMatchObject({ ok: false, code: 'PROJECT_INVALID' });
    const bad = { ...(load(1) as object), beats: [{ id: 'b1', timeSec: -1, source: 'detected', anchored: false }] };
    const r = migrateProject(bad, ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/format 1.*beats\.0\.timeSec/);
  });

  it('refuses paths that leave the project (.., absolute, backslashes)', () => {
    for (const p of ['../outside.wav', '/etc/passwd', 'media/../../x', 'C:/x.wav', 'media\\x.wav', 'media//x']) {
      const doc = { ...(load(2) as { song: object }), song: { ...(load(2) as { song: object }).song, path: p } };
      expect(migrateProject(doc, ctx).ok, p).toBe(false);
    }
  });
});

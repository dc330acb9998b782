/** The project CLI (in process, real services) and the browser host's hostile-input guards (WebSocket, /media). */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cli, useCliScratch } from '../cli-in-process';
import { startHost, type RunningHost } from '../../../electron/host/server';
import { testStudio, type TestStudio } from './helpers';

const root = useCliScratch('musedance-cli-host-');

describe('musedance project CLI', () => {
  it('new --json prints one object and leaves no lock; validate and inspect report on the folder', async () => {
    const dir = path.join(root(), 'cli-project');
    const made = await cli(['project', 'new', dir, '--name', 'From CLI', '--json']);
    expect(made.code).toBe(0);
    expect(made.out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(made.out)).toMatchObject({ dir, project: { version: 2, name: 'From CLI' } });
    expect(fs.existsSync(path.join(dir, 'project.lock'))).toBe(false);
    const valid = await cli(['project', 'validate', dir, '--json']);
    expect(JSON.parse(valid.out)).toMatchObject({ valid: true, version: 2, needsMigration: false, lockHolder: null });
    const inspected = await cli(['project', 'inspect', dir]);
    expect(inspected.code).toBe(0);
    expect(inspected.out).toContain('no recovery copies');
  });

  it('validate reports a v1 project as needing migration without changing it', async () => {
    const dir = path.join(root(), 'v1');
    fs.mkdirSync(dir);
    const fixture = path.resolve(__dirname, '../../fixtures/projects/v1/project.json');
    fs.copyFileSync(fixture, path.join(dir, 'project.json'));
    const r = await cli(['project', 'validate', dir, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, version: 1, currentVersion: 2, needsMigration: true });
    expect(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).toBe(fs.readFileSync(fixture, 'utf8'));
    expect(fs.readdirSync(dir)).toEqual(['project.json']);
  });

  it('a future or damaged project fails with one line and a non-zero exit', async () => {
    const dir = path.join(root(), 'future');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'project.json'), '{"version":7}');
    const r = await cli(['project', 'validate', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'PROJECT_FROM_FUTURE' } });
    expect(r.err.trim().split('\n')).toHaveLength(1);
    fs.writeFileSync(path.join(dir, 'project.json'), '['.repeat(200_000));
    const deep = await cli(['project', 'validate', dir]);
    expect(deep.code).toBe(1);
    expect(deep.err).toMatch(/nested more than 32 levels/);
    expect((await cli(['project', 'frob', dir])).err).toMatch(/usage: project new/);
  });
});

describe('browser host guards', () => {
  let studio: TestStudio;
  let host: RunningHost;
  let dir: string;
  beforeAll(async () => {
    studio = testStudio(path.join(root(), 'host-data'));
    const rendererDir = path.join(root(), 'renderer');
    fs.mkdirSync(rendererDir);
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    host = await startHost({ registry: studio.registry, rendererDir, media: studio.media });
    dir = path.join(root(), 'hosted');
    await studio.call('project.new', { dir, name: 'hosted' });
    fs.writeFileSync(path.join(dir, 'media', 'a.wav'), 'RIFF');
  });
  afterAll(async () => {
    await host?.close();
  });

  const get = (urlPath: string) =>
    new Promise<number>((resolve, reject) => {
      http.get(`${host.url.replace(/\/$/, '')}${urlPath}`, { headers: { 'x-musedance-token': host.token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });

  it('a deeply nested or prototype-polluting WebSocket message gets an error reply and the host keeps serving', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { 'x-musedance-token': host.token } });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    ws.send('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    ws.send('{"type":"call","id":2,"channel":"project.current","request":{},"__proto__":{"polluted":true}}');
    ws.send('{"type":"call","id":3,"channel":"system.info","request":{}}');
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(3);
    expect(replies[0]).toMatchObject({ type: 'reply', id: null, result: { ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/nested more than 64/) } } });
    expect(replies[1]).toMatchObject({ id: 2, result: { ok: true } });
    expect(replies[2]).toMatchObject({ id: 3, result: { ok: true, value: { host: 'test' } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    ws.close();
  });

  it('the media route serves project content only, and a malformed escape is a 404, not a crash', async () => {
    expect(await get('/media/project/media/a.wav')).toBe(200);
    expect(await get('/media/project/project.json')).toBe(404);
    expect(await get('/media/project/project.lock')).toBe(404);
    expect(await get('/media/project/media/%E0%A4%A')).toBe(404);
    expect(await get('/media/project/..%2f..%2fetc%2fpasswd')).toBe(404);
    expect(await get('/media/project/media/a.wav')).toBe(200);
  });
});

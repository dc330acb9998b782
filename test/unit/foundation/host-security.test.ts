/** The browser host refuses every request without our token, from a foreign Origin, or for a foreign Host. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../../electron/host/server';
import { createStudio } from '../../../electron/services/composition-root';
import { loadConfig } from '../../../electron/services/config';

let host: RunningHost;
let rendererDir: string;
let projectDir: string;
let studio: ReturnType<typeof createStudio>;

beforeAll(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'host-sec-'));
  rendererDir = path.join(tmp, 'renderer');
  projectDir = path.join(tmp, 'project');
  fs.mkdirSync(rendererDir);
  fs.mkdirSync(path.join(projectDir, 'media'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
  fs.writeFileSync(path.join(projectDir, 'media', 'song.wav'), 'RIFF-not-really');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the project');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(projectDir, 'media', 'link.txt'));
  studio = createStudio('test', { ...loadConfig(), dataDir: path.join(tmp, 'data') });
  studio.media.setProject(projectDir);
  host = await startHost({ registry: studio.registry, rendererDir, media: studio.media });
});
afterAll(() => host.close());

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: pathAndQuery, headers: { host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsStatus(query: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => {});
  });
}

describe('HTTP', () => {
  it('serves the renderer with the token and sets the HttpOnly cookie', async () => {
    const r = await get(`/?token=${host.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('studio');
    expect(String(r.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
  });
  it('401 without a token and with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get('/', { cookie: 'musedance_token=nope' })).status).toBe(401);
  });
  it('accepts the cookie the first load set', async () => {
    expect((await get('/', { cookie: `musedance_token=${host.token}` })).status).toBe(200);
  });
  it('403 for a foreign Origin even with the right token', async () => {
    expect((await get(`/?token=${host.token}`, { origin: 'http://evil.example' })).status).toBe(403);
  });
  it('403 for a foreign Host (DNS rebinding) even with the right token', async () => {
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(403);
  });
  it('media route serves project files only, never traversal or symlinks out', async () => {
    const auth = { cookie: `musedance_token=${host.token}` };
    expect((await get('/media/project/media/song.wav', auth)).status).toBe(200);
    expect((await get('/media/project/..%2Fsecret.txt', auth)).status).toBe(404);
    expect((await get('/media/project/media/link.txt', auth)).status).toBe(404);
    expect((await get('/media/project/%2Fetc%2Fpasswd', auth)).status).toBe(404);
    expect((await get('/media/pack/nope/manifest.json', auth)).status).toBe(404);
  });
  it('static route never escapes the renderer folder', async () => {
    const r = await get('/..%2F..%2Fpackage.json', { cookie: `musedance_token=${host.token}` });
    expect(r.status).toBe(404);
  });
});

describe('WebSocket', () => {
  it('refuses a missing or wrong token with 401', async () => {
    expect(await wsStatus('')).toBe(401);
    expect(await wsStatus('?token=wrong')).toBe(401);
  });
  it('refuses a foreign Origin or Host with 403', async () => {
    expect(await wsStatus(`?token=${host.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(`?token=${host.token}`, { host: 'evil.example' })).toBe(403);
  });
  it('answers calls, and malformed messages get error values', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    await new Promise((r) => ws.on('open', r));
    const replies: unknown[] = [];
    const next = () => new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    let p = next();
    ws.send(JSON.stringify({ type: 'call', id: 1, channel: 'system.info', request: {} }));
    replies.push(await p);
    p = next();
    ws.send('{not json');
    replies.push(await p);
    p = next();
    ws.send(JSON.stringify({ type: 'call', id: 2, channel: 'no.such', request: {} }));
    replies.push(await p);
    ws.close();
    expect(replies[0]).toMatchObject({ id: 1, result: { ok: true, value: { host: 'test' } } });
    expect(replies[1]).toMatchObject({ id: null, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(replies[2]).toMatchObject({ id: 2, result: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } });
  });
});

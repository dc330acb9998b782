/**
 * Custom protocols instead of file://: `app://renderer/...` serves the built renderer (with the CSP) and
 * `musedance-media://project/<rel>` / `musedance-media://pack/<id>/<rel>` serve only files inside the open
 * project or an installed pack (MediaRoots decides).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import type { MediaRoots } from '../services/media-roots';
import { MEDIA_SCHEME } from '../shared/contract/electron-ipc';
import { RENDERER_CSP } from '../shared/renderer-csp';

export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
  ]);
}

export function handleProtocols(rendererDir: string, media: MediaRoots): void {
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'renderer') return new Response('Not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, '.' + rel);
    if (path.relative(rendererDir, file).startsWith('..') || !fs.existsSync(file)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', RENDERER_CSP);
    return new Response(response.body, { status: response.status, headers });
  });
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const kind = url.host;
    const rel = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const file = kind === 'project' || kind === 'pack' ? media.resolve(kind, rel) : null;
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href, { headers: request.headers });
  });
}

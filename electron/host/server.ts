/**
 * The browser host: serves the built renderer and the IPC contract over a WebSocket on 127.0.0.1, for
 * `npm run studio:web` and the Playwright e2e suite (the Electron binary cannot be installed on our machines).
 * Same handler registry as Electron's ipcMain adapter; see security.ts for the request checks.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HandlerRegistry, Emit } from '../ipc/registry';
import { MAX_WIRE_MESSAGE_BYTES, WireCall, type WireServerMessage } from '../shared/contract/wire';
import { ErrorCodes } from '../shared/result';
import type { MediaRoots } from '../services/media-roots';
import { RENDERER_CSP } from '../shared/renderer-csp';
import { checkRequest, newToken, TOKEN_COOKIE } from './security';
import { parseJsonSafely } from '../shared/safe-json';

/** Deepest JSON nesting of a WebSocket message (a project in a save request needs about 10). */
const MAX_WIRE_JSON_DEPTH = 64;

/** A malformed %-escape in a media URL is a 404, not an exception in the request handler. */
const safeDecode = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.ico': 'image/x-icon',
  '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.flac': 'audio/flac', '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.webm': 'video/webm', '.woff2': 'font/woff2',
};

export interface HostOptions {
  registry: HandlerRegistry;
  rendererDir: string;
  media: MediaRoots;
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface RunningHost {
  url: string;
  /** URL including the token: what the user opens. */
  launchUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? newToken();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const broadcast: Emit = (event, payload) => {
    const text = JSON.stringify({ type: 'event', event, payload } satisfies WireServerMessage);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };

  const server = http.createServer((req, res) => {
    const verdict = checkRequest(req, port, token);
    if (!verdict.ok) {
      res.writeHead(verdict.status, { 'content-type': 'text/plain' }).end(verdict.status === 401 ? 'Unauthorized: open the URL printed by the studio (it carries the token).\n' : 'Forbidden.\n');
      return;
    }
    const headers: Record<string, string> = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
    if (verdict.tokenFrom === 'query') headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let file: string | null;
    if (url.pathname.startsWith('/media/')) {
      const [, , kind, ...rest] = url.pathname.split('/');
      const rel = safeDecode(rest.join('/'));
      file = rel !== null && (kind === 'project' || kind === 'pack') ? options.media.resolve(kind, rel) : null;
    } else {
      file = resolveStatic(options.rendererDir, url.pathname);
      headers['content-security-policy'] = RENDERER_CSP;
    }
    if (!file) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('Not found.\n');
      return;
    }
    serveFile(file, req, res, headers);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WIRE_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkRequest(req, port, token);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!verdict.ok || pathname !== '/ws') {
      const status = verdict.ok ? 404 : verdict.status;
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket) {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', async (data, isBinary) => {
      const send = (m: WireServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
      if (isBinary) return send({ type: 'reply', id: null, result: { ok: false, error: { code: ErrorCodes.badRequest, message: 'Binary messages are not part of the protocol.' } } });
      let message: WireCall;
      try {
        // Size and nesting are checked before parsing: a deep `[[[[...` message must not blow the stack.
        const json = parseJsonSafely(String(data), { maxChars: MAX_WIRE_MESSAGE_BYTES, maxDepth: MAX_WIRE_JSON_DEPTH });
        if (!json.ok) throw new Error(json.message);
        const parsed = WireCall.safeParse(json.value);
        if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'bad message');
        message = parsed.data;
      } catch (error) {
        return send({ type: 'reply', id: null, result: { ok: false, error: { code: ErrorCodes.badRequest, message: `Malformed message: ${(error as Error).message.slice(0, 200)}` } } });
      }
      const result = await options.registry.dispatch(message.channel, message.request, { jobId: message.jobId, emit: broadcast });
      send({ type: 'reply', id: message.id, result });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    launchUrl: `${url}?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        options.registry.cancelAll();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function resolveStatic(root: string, pathname: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const candidate = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel));
  const relToRoot = path.relative(root, candidate);
  if (relToRoot.startsWith('..') || path.isAbsolute(relToRoot)) return null;
  if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  // Single-page app: unknown paths without an extension get index.html.
  return path.extname(candidate) ? null : path.join(root, 'index.html');
}

function serveFile(file: string, req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>) {
  const stat = fs.statSync(file);
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    // Audio/video elements seek with Range requests.
    let start = range[1] ? Number(range[1]) : stat.size - Number(range[2]);
    let end = range[1] && range[2] ? Number(range[2]) : stat.size - 1;
    start = Math.max(0, start);
    end = Math.min(stat.size - 1, end);
    if (start > end) {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${stat.size}` }).end();
      return;
    }
    res.writeHead(206, { ...headers, 'content-type': type, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${stat.size}`, 'content-length': String(end - start + 1) });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': type, 'accept-ranges': 'bytes', 'content-length': String(stat.size) });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file).pipe(res);
}

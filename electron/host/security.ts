/**
 * Request checks of the browser host. It listens on 127.0.0.1 only, but any web page the user visits can
 * still reach loopback, and DNS rebinding can make a foreign name resolve to it. So every HTTP and WebSocket
 * request must (1) name our own Host, (2) come from our own Origin when it sends one, and (3) carry the
 * per-launch token (query on first load, then an HttpOnly SameSite=Strict cookie, or a header).
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'musedance_token';
export const TOKEN_HEADER = 'x-musedance-token';

export const newToken = (): string => crypto.randomBytes(24).toString('base64url');

export type Verdict = { ok: true; tokenFrom: 'query' | 'cookie' | 'header' } | { ok: false; status: 401 | 403; reason: string };

const safeEqual = (a: string, b: string): boolean => {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
};

const cookieValue = (header: string | undefined, name: string): string | null => {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
};

export function checkRequest(req: IncomingMessage, port: number, token: string): Verdict {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host;
  if (!host || !allowedHosts.includes(host.toLowerCase())) return { ok: false, status: 403, reason: 'foreign Host header' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.map((h) => `http://${h}`).includes(origin.toLowerCase())) return { ok: false, status: 403, reason: 'foreign Origin' };

  const url = new URL(req.url ?? '/', `http://${host}`);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return safeEqual(fromQuery, token) ? { ok: true, tokenFrom: 'query' } : { ok: false, status: 401, reason: 'wrong token' };
  const fromHeader = req.headers[TOKEN_HEADER];
  if (typeof fromHeader === 'string') return safeEqual(fromHeader, token) ? { ok: true, tokenFrom: 'header' } : { ok: false, status: 401, reason: 'wrong token' };
  const fromCookie = cookieValue(req.headers.cookie, TOKEN_COOKIE);
  if (fromCookie !== null) return safeEqual(fromCookie, token) ? { ok: true, tokenFrom: 'cookie' } : { ok: false, status: 401, reason: 'wrong token' };
  return { ok: false, status: 401, reason: 'missing token' };
}

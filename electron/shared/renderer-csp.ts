/**
 * The renderer's Content-Security-Policy, sent by both hosts (Electron's protocol handler in
 * `electron/main/protocols.ts`, the browser host in `electron/host/server.ts`). It lives here, in the contract
 * between the hosts and the renderer, so neither host imports the other.
 * No remote code, no inline script, no eval.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // MUI/emotion inject style tags at run time
  "img-src 'self' data: blob: musedance-media:",
  "media-src 'self' blob: musedance-media:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "worker-src 'self' blob:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

// The web UI's serving rules, pure: which requests are the UI's (everything outside the API), what
// a path names in the build, and the headers every UI answer carries.
import path from 'node:path';

/**
 * Same-origin only. Mantine injects `<style>` elements at run time, hence 'unsafe-inline' for
 * styles (never for scripts). connect-src 'self' covers the same-origin wss:// of the live
 * endpoints in current browsers (CSP Level 3 matches ws/wss against an http/https 'self').
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers on every UI answer (HTML, assets and the UI's own Problem answers). */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** Hashed build output never changes under its name. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';
/** The shell and unhashed files: revalidate each time, so a new build is picked up at once. */
export const CACHE_REVALIDATE = 'no-cache';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The content type of a build file by its extension; unknown ones are opaque bytes (nosniff keeps them so). */
export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Worth compressing on the way out (text); images and fonts are compressed already. */
export function isCompressible(contentType: string): boolean {
  return /^(text\/|application\/(json|manifest\+json)|image\/svg\+xml)/.test(contentType);
}

/** Whether the client takes gzip: an `accept-encoding` entry gzip (or else *) without q=0. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const weights = new Map<string, number>();
  for (const entry of value.split(',')) {
    const [token = '', ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    weights.set(token, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  return (weights.get('gzip') ?? weights.get('*') ?? 0) > 0;
}

/** The path part of a request URL, percent-decoded; null when it does not decode. */
export function decodedPath(url: string): string | null {
  const raw = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** True for paths the API owns (its 404 stays Problem JSON): /api, /api/…, /metrics. */
export function isApiPath(decoded: string): boolean {
  // Dot segments and doubled slashes are resolved first: /x/../api/users is an API path.
  const p = path.posix.normalize(decoded);
  return p === '/api' || p.startsWith('/api/') || p === '/metrics' || p.startsWith('/metrics/');
}

/** Whether a request no API route matched is the UI's: GET or HEAD of a path outside the API. */
export function isUiRequest(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const decoded = decodedPath(url);
  return decoded !== null && !isApiPath(decoded);
}

/** What a UI path names in the build. */
export type UiTarget =
  /** A file under assets/ (hashed names: cached for good). */
  | { kind: 'asset'; file: string }
  /** A file at the build's top level (favicon, robots.txt); the shell when there is none. */
  | { kind: 'file'; file: string }
  /** Any other path is a client-side route: the app shell (index.html). */
  | { kind: 'shell' }
  /** Refused: not decodable, a NUL, dot segments or dotfiles, or outside the build (traversal). */
  | { kind: 'refused'; reason: string };

const ASSETS = '/assets/';

/** Maps a request URL to what it names under `webDir`; never a path outside it. */
export function uiTarget(webDir: string, url: string): UiTarget {
  const decoded = decodedPath(url);
  if (decoded === null) return { kind: 'refused', reason: 'the path does not decode' };
  if (decoded.includes('\u0000')) return { kind: 'refused', reason: 'the path holds a NUL' };
  const segments = decoded.split('/');
  // Browsers resolve dot segments before asking; one that arrives (raw or encoded) is a traversal
  // attempt. The build has no dotfiles either: nothing named .x is served.
  if (segments.some((s) => s.startsWith('.') || s.includes('\\'))) return { kind: 'refused', reason: 'the path has dot segments or dotfiles' };
  if (decoded.startsWith(ASSETS)) {
    if (decoded.length === ASSETS.length) return { kind: 'refused', reason: 'the path names no file' };
    const root = path.resolve(webDir, 'assets');
    const file = path.resolve(root, `.${decoded.slice(ASSETS.length - 1)}`);
    return file.startsWith(`${root}${path.sep}`) ? { kind: 'asset', file } : { kind: 'refused', reason: 'the path leaves the assets folder' };
  }
  const name = decoded.slice(1);
  if (segments.length === 2 && name !== '' && name !== 'index.html') {
    const root = path.resolve(webDir);
    const file = path.resolve(root, name);
    if (file.startsWith(`${root}${path.sep}`)) return { kind: 'file', file };
  }
  return { kind: 'shell' };
}

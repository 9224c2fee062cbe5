/** Where to go after signing in: only a path of this app (`/x`, never `//host` or `https:`), else home. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

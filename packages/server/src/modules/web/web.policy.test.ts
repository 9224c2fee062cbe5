import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, contentTypeFor, isUiRequest, uiTarget } from './web.policy.ts';

const DIR = '/srv/capstan/web/dist';

describe('isUiRequest', () => {
  it('takes GET and HEAD outside the API, nothing else', () => {
    expect(isUiRequest('GET', '/')).toBe(true);
    expect(isUiRequest('HEAD', '/stacks/3?tab=versions')).toBe(true);
    expect(isUiRequest('GET', '/environments/2/containers/abc')).toBe(true);
    expect(isUiRequest('POST', '/stacks/3')).toBe(false);
    for (const p of ['/api', '/api/', '/api/nope', '/metrics', '/%61pi/users', '//api/users', '/x/../api/users', '/api/agents/connect']) {
      expect(isUiRequest('GET', p), p).toBe(false);
    }
  });
});

describe('uiTarget', () => {
  it('maps assets, top-level files and client-side routes', () => {
    expect(uiTarget(DIR, '/assets/app-123.js')).toEqual({ kind: 'asset', file: path.join(DIR, 'assets/app-123.js') });
    expect(uiTarget(DIR, '/assets/fonts/x.woff2?v=1')).toEqual({ kind: 'asset', file: path.join(DIR, 'assets/fonts/x.woff2') });
    expect(uiTarget(DIR, '/favicon.svg')).toEqual({ kind: 'file', file: path.join(DIR, 'favicon.svg') });
    // A top-level name that is no file (a folder, or missing) falls back to the shell when served.
    expect(uiTarget(DIR, '/assets')).toEqual({ kind: 'file', file: path.join(DIR, 'assets') });
    for (const p of ['/', '/index.html', '/stacks/3', '/environments/2/containers/abc', '/audit/']) expect(uiTarget(DIR, p), p).toEqual({ kind: 'shell' });
  });

  it('never names a file outside the build', () => {
    const attempts = [
      '/assets/../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/..%2f..%2fetc%2fpasswd',
      '/assets/./x.js',
      '/assets/..\\..\\x',
      '/assets/x%00.js',
      '/assets/%zz',
      '/assets/',
      '/.env',
      '/assets/.hidden',
      '/.git/config',
    ];
    for (const url of attempts) {
      const t = uiTarget(DIR, url);
      expect(t.kind, url).toBe('refused');
    }
  });
});

describe('contentTypeFor / acceptsGzip', () => {
  it('knows the build file types', () => {
    expect(contentTypeFor('a.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a.js.map')).toBe('application/json; charset=utf-8');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });

  it('reads accept-encoding with weights', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

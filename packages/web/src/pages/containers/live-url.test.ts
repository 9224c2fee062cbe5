import { describe, expect, it } from 'vitest';
import { liveSocketUrl } from './live-url.ts';

describe('liveSocketUrl', () => {
  it('uses wss: for https pages and keeps the host and port', () => {
    expect(liveSocketUrl({ protocol: 'https:', host: 'capstan.example:9443' }, 7, 'abc123', 'logs', { tail: 500, timestamps: true })).toBe(
      'wss://capstan.example:9443/api/environments/7/containers/abc123/logs/ws?tail=500&timestamps=true',
    );
  });

  it('uses ws: for http pages and leaves out empty query values', () => {
    expect(liveSocketUrl({ protocol: 'http:', host: 'localhost:5173' }, 1, 'web-1', 'console', { cmd: 'sh', user: undefined, cols: '' })).toBe(
      'ws://localhost:5173/api/environments/1/containers/web-1/console/ws?cmd=sh',
    );
  });

  it('encodes the container reference and the query', () => {
    expect(liveSocketUrl({ protocol: 'https:', host: 'h' }, 2, 'a b', 'console', { cmd: 'bash -l' })).toBe('wss://h/api/environments/2/containers/a%20b/console/ws?cmd=bash+-l');
    expect(liveSocketUrl({ protocol: 'https:', host: 'h' }, 2, 'c', 'stats')).toBe('wss://h/api/environments/2/containers/c/stats/ws');
  });
});

import { ConsoleQuerySchema, LogsQuerySchema } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { parseResize } from './live-console.ts';
import { logsPath } from './live-logs.ts';
import { parseLiveUrl, sameOrigin } from './live.upgrade.ts';

describe('parseLiveUrl', () => {
  it('names the feature, raw ids and the query (repeated keys kept)', () => {
    expect(parseLiveUrl('/api/environments/7/containers/web-1/logs/ws?tail=10&tail=20&timestamps=true')).toEqual({
      feature: 'logs',
      id: '7',
      containerId: 'web-1',
      query: { tail: ['10', '20'], timestamps: 'true' },
    });
    expect(parseLiveUrl('/api/environments/x/containers/a%20b/console/ws')).toMatchObject({ feature: 'console', id: 'x', containerId: 'a b', query: {} });
    expect(parseLiveUrl('/api/environments/7/containers/c/stats/ws/')).toBeNull();
    expect(parseLiveUrl('/api/environments/7/docker/containers/c/logs')).toBeNull();
    expect(parseLiveUrl('/api/environments/7/containers/%E0%A4%A/logs/ws')).toBeNull();
  });
});

describe('sameOrigin', () => {
  it('accepts no Origin (non-browser clients) and an Origin naming the Host', () => {
    expect(sameOrigin(undefined, 'capstan:9443')).toBe(true);
    expect(sameOrigin('https://capstan:9443', 'capstan:9443')).toBe(true);
    expect(sameOrigin('https://CAPSTAN:9443', 'capstan:9443')).toBe(true);
    expect(sameOrigin('https://capstan', 'capstan:443')).toBe(true);
  });
  it('refuses other hosts, ports, schemes and garbage', () => {
    expect(sameOrigin('https://evil.example', 'capstan:9443')).toBe(false);
    expect(sameOrigin('https://capstan:9444', 'capstan:9443')).toBe(false);
    expect(sameOrigin('null', 'capstan:9443')).toBe(false);
    expect(sameOrigin('file://capstan:9443', 'capstan:9443')).toBe(false);
    expect(sameOrigin('https://capstan:9443', undefined)).toBe(false);
  });
});

describe('query schemas', () => {
  it('logs: defaults, flags, since as seconds or ISO, refusals', () => {
    expect(LogsQuerySchema.parse({})).toEqual({ tail: 200, timestamps: false });
    expect(LogsQuerySchema.parse({ tail: 'all', timestamps: '1', since: '2030-01-01T00:00:00Z' })).toEqual({ tail: 'all', timestamps: true, since: 1893456000 });
    expect(LogsQuerySchema.parse({ since: '1700000000.5' }).since).toBe(1700000000.5);
    for (const bad of [{ tail: '-1' }, { tail: '' }, { tail: '100001' }, { timestamps: 'yes' }, { since: 'yesterday' }, { follow: '0' }]) {
      expect(LogsQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(logsPath('abc', LogsQuerySchema.parse({ tail: '5', timestamps: 'true', since: '12' }))).toBe('/containers/abc/logs?follow=1&stdout=1&stderr=1&tail=5&timestamps=1&since=12');
  });
  it('console: default sh, user and size checks', () => {
    expect(ConsoleQuerySchema.parse({})).toEqual({ cmd: 'sh' });
    expect(ConsoleQuerySchema.parse({ cmd: 'bash -l', user: 'app:app', cols: '80', rows: '24' })).toEqual({ cmd: 'bash -l', user: 'app:app', cols: 80, rows: 24 });
    for (const bad of [{ cmd: '   ' }, { cmd: 'sh\n' }, { user: 'a b' }, { cols: '0' }, { rows: 'x' }, { tty: 'false' }]) {
      expect(ConsoleQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('parseResize', () => {
  it('takes exactly a resize message; anything else is stdin', () => {
    expect(parseResize('{"type":"resize","cols":120,"rows":40}')).toEqual({ cols: 120, rows: 40 });
    expect(parseResize('ls\n')).toBeNull();
    expect(parseResize('{"type":"resize","cols":0,"rows":40}')).toBeNull();
    expect(parseResize('{"type":"resize","cols":1,"rows":1,"x":1}')).toBeNull();
    expect(parseResize('{not json')).toBeNull();
  });
});

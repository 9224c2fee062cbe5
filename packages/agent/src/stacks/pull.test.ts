import type { CommandProgressEvent } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { PullStream, registryHeaders } from './pull.ts';

describe('registryHeaders', () => {
  const auths = [
    { serverAddress: 'https://index.docker.io/v1/', username: 'hub', password: 'p1' },
    { serverAddress: 'reg.example:5000', username: 'me', password: 'p2' },
  ];
  const decode = (h: Record<string, string>) => JSON.parse(Buffer.from(h['X-Registry-Auth']!, 'base64').toString('utf8'));

  it('picks the credential of the image registry (Docker Hub under any spelling)', () => {
    expect(decode(registryHeaders('nginx:1', auths))).toEqual({ username: 'hub', password: 'p1', serveraddress: 'https://index.docker.io/v1/' });
    expect(decode(registryHeaders('reg.example:5000/team/app@sha256:abc', auths))).toMatchObject({ username: 'me' });
    expect(registryHeaders('ghcr.io/o/a:1', auths)).toEqual({});
  });
});

describe('PullStream', () => {
  it('reports status changes always, byte counts at most twice a second per layer, and the first error', () => {
    const events: CommandProgressEvent[] = [];
    let now = 0;
    const s = new PullStream('app:1', (e) => events.push(e), () => now);
    const line = (o: object) => `${JSON.stringify(o)}\n`;
    const text =
      line({ status: 'Pulling from app', id: '1' }) +
      line({ status: 'Downloading', id: 'L1', progressDetail: { current: 10, total: 100 } }) +
      line({ status: 'Downloading', id: 'L1', progressDetail: { current: 20, total: 100 } });
    s.push(text.slice(0, 30));
    s.push(text.slice(30));
    now = 600;
    s.push(line({ status: 'Downloading', id: 'L1', progressDetail: { current: 90, total: 100 } }));
    s.push(line({ status: 'Download complete', id: 'L1' }));
    s.push('not json\n');
    s.push(JSON.stringify({ errorDetail: { message: 'denied' }, error: 'denied: access' }));
    s.end();
    expect(events).toEqual([
      { type: 'pull', image: 'app:1', layer: '1', status: 'Pulling from app' },
      { type: 'pull', image: 'app:1', layer: 'L1', status: 'Downloading', current: 10, total: 100 },
      { type: 'pull', image: 'app:1', layer: 'L1', status: 'Downloading', current: 90, total: 100 },
      { type: 'pull', image: 'app:1', layer: 'L1', status: 'Download complete' },
    ]);
    expect(s.error).toBe('denied: access');
  });
});

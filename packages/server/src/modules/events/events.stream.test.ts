import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../http/context.ts';
import { EventHub } from './events.hub.ts';
import { LiveEventStreams, type LiveEventStreamsDeps } from './events.stream.ts';

const user: Principal = { userId: 7, username: 'reader', isAdmin: false, authMethod: 'session', sessionId: 's', apiKeyId: null, readOnly: false };
const admin: Principal = { ...user, userId: 1, username: 'admin', isAdmin: true };
const settle = () => new Promise((r) => setImmediate(r));
const yes = () => Promise.resolve(true);

function setup(extra: Partial<LiveEventStreamsDeps> = {}) {
  const hub = new EventHub();
  const asked: number[] = [];
  const streams = new LiveEventStreams({
    hub,
    // The reader may read environment 1 only.
    authorize: (_p, _perm, environmentId) => {
      asked.push(environmentId);
      return environmentId === 1 ? Promise.resolve() : Promise.reject(new Error('forbidden'));
    },
    ...extra,
  });
  return { hub, streams, asked };
}

function collect(stream: Readable): { text: () => string; ended: Promise<void> } {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (c: string) => (text += c));
  return { text: () => text, ended: new Promise((r) => stream.on('close', () => r())) };
}

describe('LiveEventStreams', () => {
  it("delivers only readable environments' notices, asking once per environment while the verdict is fresh", async () => {
    const { hub, streams, asked } = setup();
    const out = collect(streams.open(user, yes));
    for (let i = 0; i < 3; i++) {
      hub.publish({ type: 'command', environmentId: 1, commandId: `c${i}`, status: 'queued' });
      hub.publish({ type: 'command', environmentId: 2, commandId: `x${i}`, status: 'queued' });
    }
    await settle();
    await settle();
    expect(out.text().match(/^event: command$/gm)).toHaveLength(3);
    expect(out.text()).not.toContain('"environmentId":2');
    expect(out.text().indexOf('c0')).toBeLessThan(out.text().indexOf('c2'));
    expect(asked).toEqual([1, 2]);
    streams.closeAll();
    await out.ended;
    expect(hub.subscribers).toBe(0);
  });

  it('asks nothing for administrators', async () => {
    const { hub, streams, asked } = setup();
    const out = collect(streams.open(admin, yes));
    hub.publish({ type: 'stack', environmentId: 9, stackId: 1 });
    await settle();
    expect(out.text()).toContain('event: stack');
    expect(asked).toEqual([]);
    streams.closeAll();
  });

  it('drops a stream whose reader falls behind, with what it had not read', async () => {
    const { hub, streams } = setup({ maxBufferedBytes: 2_048 });
    const stream = streams.open(admin, yes);
    // Nobody reads: the notices pile up until the budget is passed.
    for (let i = 0; i < 200; i++) hub.publish({ type: 'command', environmentId: 1, commandId: `command-${i}`, status: 'queued' });
    await settle();
    expect(stream.destroyed).toBe(true);
    expect(streams.size).toBe(0);
    expect(hub.subscribers).toBe(0);
  });

  it('beats and ends the stream once the client is no longer signed in', async () => {
    const { hub, streams } = setup({ heartbeatMs: 20 });
    let signedIn = true;
    const out = collect(streams.open(user, () => Promise.resolve(signedIn)));
    await new Promise((r) => setTimeout(r, 70));
    expect(out.text()).toMatch(/^retry: 3000\n\n(: keep-alive\n\n)+$/);
    signedIn = false;
    await out.ended;
    expect(streams.size).toBe(0);
    expect(hub.subscribers).toBe(0);
  });
});

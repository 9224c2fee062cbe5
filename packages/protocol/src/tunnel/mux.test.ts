import { describe, expect, it } from 'vitest';
import type { MuxStream } from './mux-stream.ts';
import type { OpenRequest } from './stream-kinds.ts';
import { bytes, concat, deliver, peer, pump, type Peer } from './mux-harness.test-util.ts';

const get = (path: string): OpenRequest => ({
  kind: 'docker-http',
  header: { method: 'GET', path, headers: {} },
});
const ok = { status: 200, headers: {} };

function openOk(p: Peer, request: OpenRequest): MuxStream {
  const result = p.mux.open(request);
  if (!result.ok) throw new Error(result.message);
  return result.stream;
}

/** Records received bytes per stream id, consuming them unless the id is in `stalled`. */
function collect(p: Peer, stalled = new Set<number>()): Map<number, Uint8Array[]> {
  const received = new Map<number, Uint8Array[]>();
  const previous = p.onEvent;
  p.onEvent = (event) => {
    previous(event);
    if (event.type !== 'data') return;
    received.set(event.stream.id, [...(received.get(event.stream.id) ?? []), event.payload.slice()]);
    if (!stalled.has(event.stream.id)) event.stream.consumed(event.payload.length);
  };
  return received;
}

describe('Mux back-to-back', () => {
  it('carries many concurrent request/response streams with small windows and frames', () => {
    const server = peer({ side: 'server', initialWindow: 4096, maxFramePayload: 1000 });
    const agent = peer({ side: 'agent', initialWindow: 4096, maxFramePayload: 1000 });
    const atServer = collect(server);
    agent.onEvent = (e) => {
      if (e.type === 'open') e.stream.accept(ok);
      if (e.type === 'end') {
        // Answer with the request body reversed, proving both directions carry distinct data.
        e.stream.write(concat(atAgent.get(e.stream.id) ?? []).reverse());
        e.stream.end();
      }
    };
    const atAgent = collect(agent);
    const bodies = new Map<number, Uint8Array>();
    for (let i = 0; i < 60; i++) {
      const stream = openOk(server, {
        kind: 'docker-http',
        header: { method: 'POST', path: `/v1.41/x/${i}`, headers: {} },
      });
      const body = bytes(1 + ((i * 7919) % 20_000), i + 1);
      bodies.set(stream.id, body);
      expect(stream.write(body)).toBe(true);
      stream.end();
    }
    pump(server, agent, 5);
    for (const [id, body] of bodies) {
      expect(concat(atAgent.get(id) ?? [])).toEqual(body);
      expect(concat(atServer.get(id) ?? [])).toEqual(body.slice().reverse());
    }
    expect(server.events.filter((e) => e.type === 'accepted')).toHaveLength(60);
    expect(server.events.filter((e) => e.type === 'end')).toHaveLength(60);
    expect(server.mux.streamCount).toBe(0);
    expect(agent.mux.streamCount).toBe(0);
    expect(server.mux.failure ?? agent.mux.failure).toBeUndefined();
  });

  it('a stream whose reader never consumes does not stop another stream', () => {
    const server = peer({ side: 'server' });
    const agent = peer({ side: 'agent' });
    const logs = openOk(server, get('/v1.41/containers/a/logs?follow=1'));
    const list = openOk(server, get('/v1.41/containers/json'));
    logs.end();
    list.end();
    const stalled = new Set([logs.id]); // the log reader is stuck
    const received = collect(server, stalled);
    const logBody = bytes(2 * 1024 * 1024, 1);
    const listBody = bytes(1024 * 1024, 2);
    agent.onEvent = (e) => {
      if (e.type !== 'open') return;
      e.stream.accept(ok);
      e.stream.write(e.stream.id === logs.id ? logBody : listBody);
      e.stream.end();
    };
    pump(server, agent);
    expect(Buffer.from(concat(received.get(list.id) ?? [])).equals(listBody)).toBe(true);
    expect(list.phase).toBe('closed');
    // The stuck stream holds exactly one window at the server; the rest waits at the agent.
    expect(logs.unconsumedBytes).toBe(server.mux.initialWindow);
    const agentLogs = agent.mux.stream(logs.id);
    expect(agentLogs?.queuedBytes).toBe(logBody.length - server.mux.initialWindow);
    expect(agentLogs?.sendCredit).toBe(0);

    // Once the reader catches up the window replenishes and the stream completes.
    stalled.delete(logs.id);
    logs.consumed(logs.unconsumedBytes);
    pump(server, agent);
    expect(Buffer.from(concat(received.get(logs.id) ?? [])).equals(logBody)).toBe(true);
    expect(logs.phase).toBe('closed');
    expect(server.mux.streamCount + agent.mux.streamCount).toBe(0);
  });

  it('interleaves data round-robin across streams', () => {
    const server = peer({ side: 'server', maxFramePayload: 100 });
    const streams = [1, 2, 3].map((i) => openOk(server, get(`/s/${i}`)));
    for (const s of streams) s.write(bytes(1000, s.id));
    const frames = server.mux.pull(3 + 9);
    expect(frames.slice(0, 3).map((f) => f.type)).toEqual(['open', 'open', 'open']);
    expect(frames.slice(3).map((f) => (f.type === 'data' ? f.streamId : 0))).toEqual([
      1, 3, 5, 1, 3, 5, 1, 3, 5,
    ]);
    // The cursor persists: the next pull continues the rotation.
    expect(server.mux.pull(1).map((f) => (f.type === 'data' ? f.streamId : 0))).toEqual([1]);
  });

  it('half-close: each direction ends independently and the stream closes after both', () => {
    const server = peer({ side: 'server' });
    const agent = peer({ side: 'agent' });
    const s = openOk(server, {
      kind: 'docker-hijack',
      header: { method: 'POST', path: '/v1.41/exec/x/start', headers: { Upgrade: 'tcp' } },
    });
    s.write(bytes(10, 1));
    s.end();
    expect(s.write(bytes(1, 1))).toBe(false);
    collect(agent);
    const atServer = collect(server);
    let remote: MuxStream | undefined;
    agent.onEvent = (e) => {
      if (e.type === 'open') (remote = e.stream).accept({ status: 101, headers: { Upgrade: 'tcp' } });
    };
    collect(agent);
    pump(server, agent);
    expect(agent.events.map((e) => e.type)).toEqual(['open', 'data', 'end']);
    expect(remote?.phase).toBe('open');
    expect(remote?.write(bytes(5, 2))).toBe(true); // the agent may still send after the server ended
    pump(server, agent);
    expect(concat(atServer.get(s.id) ?? [])).toEqual(bytes(5, 2));
    expect(s.phase).toBe('open');
    remote?.end();
    pump(server, agent);
    expect(s.phase).toBe('closed');
    expect(remote?.phase).toBe('closed');
  });

  it('reset discards queued data, reaches the peer, and late in-flight data is dropped quietly', () => {
    const server = peer({ side: 'server', initialWindow: 1000 });
    const agent = peer({ side: 'agent', initialWindow: 1000 });
    agent.onEvent = (e) => {
      if (e.type === 'open') e.stream.accept(ok);
    };
    const s = openOk(server, get('/x'));
    s.write(bytes(5000, 1));
    deliver(agent, server.mux.pull(1)); // open only
    const inFlight = server.mux.pull(); // data up to the window, not yet delivered
    const remote = agent.mux.stream(s.id);
    remote?.reset('cancelled', 'client went away');
    deliver(agent, inFlight);
    expect(agent.events.map((e) => e.type)).toEqual(['open']);
    pump(server, agent);
    expect(server.events.at(-1)).toMatchObject({
      type: 'reset',
      code: 'cancelled',
      message: 'client went away',
    });
    expect(s.phase).toBe('closed');
    expect(s.queuedBytes).toBe(0);
    expect(s.write(bytes(1, 1))).toBe(false);
    expect(server.mux.failure ?? agent.mux.failure).toBeUndefined();
  });

  it('reject ends a stream before it starts; data sent ahead of the answer is dropped', () => {
    const server = peer({ side: 'server' });
    const agent = peer({ side: 'agent' });
    agent.onEvent = (e) => {
      if (e.type === 'open') e.stream.reject('upstream_unavailable', 'docker socket missing');
    };
    const s = openOk(server, {
      kind: 'docker-http',
      header: { method: 'POST', path: '/build', headers: {} },
    });
    s.write(bytes(300, 1));
    pump(server, agent);
    expect(server.events).toEqual([
      { type: 'rejected', stream: s, code: 'upstream_unavailable', message: 'docker socket missing' },
    ]);
    expect(agent.events.map((e) => e.type)).toEqual(['open']);
    expect(server.mux.streamCount + agent.mux.streamCount).toBe(0);
  });

  it('passes connection-level frames through in order with stream control', () => {
    const server = peer({ side: 'server' });
    const agent = peer({ side: 'agent' });
    agent.mux.sendControl({
      type: 'hello',
      agentId: 1,
      signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      protocolVersion: 1,
      agentVersion: '0.1.0',
      capabilities: [],
    });
    server.mux.sendControl({ type: 'heartbeat', seq: 1 });
    pump(server, agent);
    expect(server.events).toEqual([
      {
        type: 'control',
        frame: {
          type: 'hello',
          agentId: 1,
          signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          protocolVersion: 1,
          agentVersion: '0.1.0',
          capabilities: [],
        },
      },
    ]);
    expect(agent.events).toEqual([{ type: 'control', frame: { type: 'heartbeat', seq: 1 } }]);
  });

  it('limits streams this side opens, and frees the slot when one closes', () => {
    const server = peer({ side: 'server', maxStreams: 2 });
    const first = openOk(server, get('/1'));
    openOk(server, get('/2'));
    expect(server.mux.open(get('/3'))).toMatchObject({ ok: false, reason: 'too_many_streams' });
    first.reset('cancelled');
    expect(server.mux.open(get('/3')).ok).toBe(true);
    expect(
      peer({ side: 'server' }).mux.open({
        kind: 'docker-http',
        header: { method: 'GET', path: 'no-slash', headers: {} },
      }),
    ).toMatchObject({ ok: false, reason: 'invalid_request' });
  });
});

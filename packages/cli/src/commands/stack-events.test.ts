import { describe, expect, it } from 'vitest';
import type { CommandProgressEvent, StackVersionSummary } from '@capstan/protocol';
import { EventDataError, finalText, formatBytes, ProgressView, readVersionEvent, SseParser, type VersionStatusEvent } from './stack-events.ts';

describe('SseParser', () => {
  it('dispatches events on blank lines, with type, multi-line data and the last id', () => {
    const p = new SseParser();
    expect(p.push('retry: 3000\n\n: keep-alive\n\nid: 4\nevent: progress\ndata: {"a":1}\n\n')).toEqual([
      { event: 'progress', data: '{"a":1}', id: '4' },
    ]);
    expect(p.retryMs).toBe(3000);
    // The id carries over to later events; data lines join with newlines; no type is "message".
    expect(p.push('data: one\ndata:two\n\n')).toEqual([{ event: 'message', data: 'one\ntwo', id: '4' }]);
    expect(p.lastEventId).toBe('4');
  });

  it('handles events and line ends split across chunks, CRLF and CR alike', () => {
    const p = new SseParser();
    // A CR that ends a chunk may be half of a CRLF: the parser waits for the next character.
    const text = 'event: status\r\ndata: {"x":true}\r\n\r\nevent: progress\rdata: 2\r\r: more\n';
    const out = [...text].flatMap((ch) => p.push(ch));
    expect(out).toEqual([
      { event: 'status', data: '{"x":true}', id: null },
      { event: 'progress', data: '2', id: null },
    ]);
  });

  it('drops a leading BOM, events without data, and an unfinished event', () => {
    const p = new SseParser();
    expect(p.push('\uFEFFevent: status\n\nevent: x\ndata: y')).toEqual([]);
    expect(p.push('\nid\n')).toEqual([]);
    expect(p.lastEventId).toBe('');
  });

  it('refuses an endless line', () => {
    const p = new SseParser();
    expect(() => p.push('data: ' + 'x'.repeat(1024 * 1024 + 1))).toThrow(EventDataError);
  });
});

const summary: StackVersionSummary = {
  id: 7,
  stackId: 2,
  number: 3,
  kind: 'deploy',
  rollbackOf: null,
  imagePins: {},
  imageDigests: {},
  pull: 'missing',
  gitCommit: null,
  createdBy: 1,
  createdByName: 'admin',
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'queued',
  reason: null,
  commandId: 'c1',
  finishedAt: null,
};

describe('readVersionEvent', () => {
  it('reads progress and status events and skips kinds it does not know', () => {
    expect(readVersionEvent({ event: 'progress', id: '1', data: '{"at":"t","type":"step","step":"start a","status":"started"}' })).toEqual({
      kind: 'progress',
      progress: { type: 'step', step: 'start a', status: 'started' },
    });
    expect(readVersionEvent({ event: 'status', id: null, data: JSON.stringify({ ...summary, final: false }) })).toMatchObject({
      kind: 'status',
      status: { number: 3, status: 'queued', final: false },
    });
    expect(readVersionEvent({ event: 'progress', id: '2', data: '{"type":"teleport"}' })).toBeNull();
    expect(readVersionEvent({ event: 'ping', id: null, data: 'x' })).toBeNull();
  });

  it('refuses unreadable status data', () => {
    expect(() => readVersionEvent({ event: 'status', id: null, data: '{"final":true}' })).toThrow(EventDataError);
    expect(() => readVersionEvent({ event: 'progress', id: null, data: 'not json' })).toThrow(EventDataError);
  });
});

describe('ProgressView', () => {
  const progress = (view: ProgressView, events: CommandProgressEvent[]): string =>
    events.map((p) => view.render({ kind: 'progress', progress: p })).join('');
  const status = (over: Partial<VersionStatusEvent>): VersionStatusEvent => ({ ...summary, final: false, ...over });

  it('prints one line when a step starts, and the detail when it fails', () => {
    const view = new ProgressView();
    expect(
      progress(view, [
        { type: 'step', step: 'create shop_web_1', status: 'started' },
        { type: 'step', step: 'create shop_web_1', status: 'done' },
        { type: 'step', step: 'start shop_web_1', status: 'started' },
        { type: 'step', step: 'start shop_web_1', status: 'failed', detail: 'port is taken' },
        { type: 'health', service: 'web', status: 'healthy', detail: 'shop_web_1' },
        { type: 'message', level: 'warn', text: 'rolling back to version 2' },
      ]),
    ).toBe(
      '  create shop_web_1\n' +
        '  start shop_web_1\n' +
        '  failed: start shop_web_1: port is taken\n' +
        '  health web (shop_web_1): healthy\n' +
        '  warn: rolling back to version 2\n',
    );
  });

  it('prints each stage of an image pull once, interleaved layers or not, then the size', () => {
    const view = new ProgressView();
    const L1 = 'aaaaaaaaaaaa';
    const L2 = 'bbbbbbbbbbbb';
    const img = 'nginx:1.27';
    expect(
      progress(view, [
        { type: 'pull', image: img, layer: '1.27', status: 'Pulling from library/nginx' },
        { type: 'pull', image: img, layer: L1, status: 'Pulling fs layer' },
        { type: 'pull', image: img, layer: L2, status: 'Pulling fs layer' },
        { type: 'pull', image: img, layer: L1, status: 'Downloading', current: 10, total: 2 * 1024 * 1024 },
        { type: 'pull', image: img, layer: L2, status: 'Downloading', current: 10, total: 1024 * 1024 },
        { type: 'pull', image: img, layer: L1, status: 'Extracting', current: 10, total: 100 },
        { type: 'pull', image: img, layer: L2, status: 'Downloading', current: 90, total: 1024 * 1024 },
        { type: 'pull', image: img, layer: L2, status: 'Extracting', current: 10, total: 100 },
        { type: 'pull', image: img, layer: L2, status: 'Pull complete' },
        { type: 'pull', image: img, status: 'Digest: sha256:abc' },
        { type: 'pull', image: img, status: 'Status: Downloaded newer image for nginx:1.27' },
      ]),
    ).toBe(
      '    nginx:1.27: downloading\n' +
        '    nginx:1.27: extracting\n' +
        '    nginx:1.27: downloaded newer image (2 layers, 3.0 MB downloaded)\n',
    );
    expect(progress(view, [{ type: 'pull', image: 'busybox:1', status: 'Status: Image is up to date for busybox:1' }])).toBe(
      '    busybox:1: image is up to date\n',
    );
  });

  it('prints status changes before the final one, once each', () => {
    const view = new ProgressView();
    const lines = [
      status({ status: 'queued' }),
      status({ status: 'queued' }),
      status({ status: 'deploying' }),
      status({ status: 'deployed', final: true }),
    ].map((s) => view.render({ kind: 'status', status: s }));
    expect(lines.join('')).toBe('version 3: queued\nversion 3: deploying\n');
  });
});

describe('finalText and formatBytes', () => {
  it('names the outcome with its reason', () => {
    expect(finalText({ number: 3, status: 'deployed', reason: null })).toBe('version 3 deployed');
    expect(finalText({ number: 4, status: 'rolled_back', reason: 'web: unhealthy' })).toBe('version 4 rolled back: web: unhealthy');
    expect(finalText({ number: 5, status: 'failed', reason: null })).toBe('version 5 failed');
  });

  it('formats sizes', () => {
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(formatBytes(2048)).toBe('2 kB');
  });
});

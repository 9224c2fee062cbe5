import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../lib/secret-box.ts';
import { commandFrame, copyStoredPayload, REDACT_KEY, redactContext, SEALED_PAYLOAD_KEY, sealContext } from './commands.frame.ts';
import { effectiveRetry, retryRefusal, storedRetry, ttlOf } from './commands.policy.ts';
import { queuedRow } from './commands.repository.ts';

const box = new SecretBox(randomBytes(32));

describe('command frames and stored payloads', () => {
  it('delivers the stored retry policy, else the kind default', () => {
    const row = queuedRow({ id: randomUUID(), environmentId: 1, seq: 3, kind: 'image.pull', payload: '{"image":"a"}', createdBy: null, createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null });
    expect(commandFrame(row)).toEqual({ type: 'command', id: row.id, seq: 3, kind: 'image.pull', payload: { image: 'a' }, queuedAt: row.createdAt, expiresAt: null, retry: { attempts: 3, delayMs: 10_000 } });
    expect(commandFrame({ ...row, retry: storedRetry({ attempts: 5, delaySeconds: 2 }) }).retry).toEqual({ attempts: 5, delayMs: 2000 });
    // A column that does not hold a policy falls back to the default rather than failing delivery.
    expect(effectiveRetry({ kind: 'container.start', retry: '{"attempts":0}' })).toEqual({ attempts: 1, delayMs: 0 });
    expect(effectiveRetry({ kind: 'container.start', retry: 'not json' })).toEqual({ attempts: 1, delayMs: 0 });
    expect(storedRetry(undefined)).toBeNull();
  });

  it('copies a plain payload as is, and seals sealed parts again under the copy id', () => {
    const from = randomUUID();
    const to = randomUUID();
    expect(copyStoredPayload('{"containerId":"web"}', from, to, null)).toBe('{"containerId":"web"}');
    const stored = JSON.stringify({
      image: 'x',
      [REDACT_KEY]: box.seal(JSON.stringify(['secret']), redactContext(from)),
      [SEALED_PAYLOAD_KEY]: box.seal('{"image":"x","password":"secret"}', sealContext(from)),
    });
    const copy = JSON.parse(copyStoredPayload(stored, from, to, box)) as Record<string, string>;
    expect(copy.image).toBe('x');
    expect(box.open(copy[SEALED_PAYLOAD_KEY] ?? '', sealContext(to))).toBe('{"image":"x","password":"secret"}');
    expect(box.open(copy[REDACT_KEY] ?? '', redactContext(to))).toBe('["secret"]');
    expect(() => box.open(copy[SEALED_PAYLOAD_KEY] ?? '', sealContext(from))).toThrow();
    expect(() => copyStoredPayload(stored, from, to, null)).toThrow('secret box');
  });

  it('allows retrying only failed or expired container and image commands, with their time to live', () => {
    const id = randomUUID();
    expect(retryRefusal({ id, kind: 'container.exec', status: 'failed' })).toBeNull();
    expect(retryRefusal({ id, kind: 'image.pull', status: 'expired' })).toBeNull();
    for (const status of ['queued', 'sent', 'accepted', 'succeeded', 'cancelled', 'superseded'] as const) {
      expect(retryRefusal({ id, kind: 'container.exec', status })).toContain(`is ${status}`);
    }
    expect(retryRefusal({ id, kind: 'stack.deploy', status: 'failed' })).toContain('through the stack');
    expect(ttlOf({ createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null })).toBeUndefined();
    expect(ttlOf({ createdAt: '2030-01-01T00:00:00.000Z', expiresAt: '2030-01-01T00:01:00.000Z' })).toBe(60);
  });
});

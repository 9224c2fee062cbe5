import { EngineSnapshotSchema, MAX_CONTROL_PAYLOAD, SnapshotFrameSchema, encodeFrame, type EngineSnapshot, type SnapshotContainer } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { fitSnapshot, snapshotFrameBytes } from './fit.ts';

const engine = { name: 'h', version: '28', apiVersion: '1.50', os: 'linux', arch: 'x86_64', kernelVersion: '6', cpus: 1, memoryBytes: 1, storageDriver: 'overlay2' };

function container(i: number, labelBytes: number): SnapshotContainer {
  return {
    id: `c${String(i).padStart(63, '0')}`,
    name: `container-${i}`,
    image: 'busybox:latest',
    imageId: 'sha256:x',
    command: 'sh -c "sleep 1000"',
    createdAt: '2026-01-01T00:00:00.000Z',
    state: 'running',
    status: 'Up',
    health: null,
    labels: { big: 'x'.repeat(labelBytes) },
    ports: [{ privatePort: 80, type: 'tcp' }],
    composeProject: null,
    composeService: null,
  };
}

function snapshot(containers: number, labelBytes: number, images = 0): EngineSnapshot {
  return {
    takenAt: '2026-01-01T00:00:00.000Z',
    engine,
    containers: Array.from({ length: containers }, (_, i) => container(i, labelBytes)),
    images: Array.from({ length: images }, (_, i) => ({ id: `sha256:${i}`, repoTags: [`img:${i}`], repoDigests: [`img@sha256:${i}`], size: i, createdAt: 't' })),
    volumes: [],
    networks: [],
    composeProjects: [],
  };
}

describe('fitSnapshot', () => {
  it('returns a small snapshot untouched', () => {
    const s = snapshot(3, 10);
    expect(fitSnapshot(s)).toBe(s);
  });

  it('drops labels first when that is enough', () => {
    const s = snapshot(1000, 2000); // ~2 MB of labels
    expect(snapshotFrameBytes(s)).toBeGreaterThan(MAX_CONTROL_PAYLOAD);
    const fitted = fitSnapshot(s);
    expect(fitted.truncated).toBe(true);
    expect(fitted.containers).toHaveLength(1000);
    expect(fitted.containers.every((c) => Object.keys(c.labels).length === 0)).toBe(true);
    expect(fitted.containers[0]?.command).toBe(s.containers[0]?.command);
    expect(snapshotFrameBytes(fitted)).toBeLessThanOrEqual(MAX_CONTROL_PAYLOAD);
  });

  it('drops whole items, images before containers, when details are not enough', () => {
    const s = snapshot(2000, 0, 2000);
    const max = 300_000;
    const fitted = fitSnapshot(s, max);
    expect(fitted.truncated).toBe(true);
    expect(fitted.images).toHaveLength(0);
    expect(fitted.containers.length).toBeGreaterThan(0);
    expect(fitted.containers.length).toBeLessThan(2000);
    expect(snapshotFrameBytes(fitted)).toBeLessThanOrEqual(max);
  });

  it('yields a frame the codec sends at the real limit', () => {
    const fitted = fitSnapshot(snapshot(10_000, 100, 10_000));
    const frame = SnapshotFrameSchema.parse({ type: 'snapshot', hash: 'a'.repeat(64), snapshot: fitted });
    expect(EngineSnapshotSchema.safeParse(fitted).success).toBe(true);
    expect(() => encodeFrame(frame)).not.toThrow();
  });
});

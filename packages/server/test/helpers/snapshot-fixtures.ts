// Engine snapshots for the server's state tests (tunnel frames and polls): small, valid, hashed the
// way the server hashes them.
import { canonicalSnapshot, type EngineSnapshot, type SnapshotContainer } from '@capstan/protocol';
import { hashCanonical } from '../../src/modules/snapshots/snapshots.service.ts';

/** The engine every fixture snapshot reports. */
export const FIXTURE_ENGINE = { name: 'edge', version: '28.2.2', apiVersion: '1.50', os: 'Debian', arch: 'x86_64', kernelVersion: '6.1', cpus: 2, memoryBytes: 2_000_000_000, storageDriver: 'overlay2' };

/** A busybox container `c-<id>` in `state` (also its status text). */
export function container(id: string, state: string, health: string | null = null): SnapshotContainer {
  return {
    id,
    name: `c-${id}`,
    image: 'busybox',
    imageId: 'sha256:b',
    command: 'sh',
    createdAt: '2026-01-01T00:00:00.000Z',
    state,
    status: state,
    health,
    labels: {},
    ports: [],
    composeProject: null,
    composeService: null,
  };
}

/** A snapshot of these containers with one image, volume and network. */
export function snapshot(containers: SnapshotContainer[], takenAt = '2026-01-01T00:00:00.000Z'): EngineSnapshot {
  return {
    takenAt,
    engine: FIXTURE_ENGINE,
    containers,
    images: [{ id: 'sha256:b', repoTags: ['busybox:latest'], repoDigests: [], size: 1, createdAt: '2025-01-01T00:00:00.000Z' }],
    volumes: [{ name: 'data', driver: 'local', mountpoint: '/v', labels: {}, composeProject: null }],
    networks: [{ id: 'n1', name: 'bridge', driver: 'bridge', scope: 'local', labels: {}, composeProject: null }],
    composeProjects: [],
  };
}

/** The hash the server stores for a snapshot. */
export const hashOf = (s: EngineSnapshot): string => hashCanonical(canonicalSnapshot(s));

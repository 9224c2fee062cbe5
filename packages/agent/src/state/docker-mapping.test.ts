import { EngineSnapshotSchema } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { MAX_ITEMS, changesState, parseEvent, stableStatus, toSnapshot, type EngineAnswers } from './docker-mapping.ts';

// Shapes as Docker Engine API 1.50 answers them (trimmed to the fields that matter plus some noise).
const info = {
  ID: 'abc',
  Name: 'host-a',
  ServerVersion: '28.2.2',
  OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  Architecture: 'x86_64',
  KernelVersion: '6.1.0-18-amd64',
  NCPU: 8,
  MemTotal: 16_647_426_048,
  Driver: 'overlay2',
  Containers: 3,
};
const version = { Version: '28.2.2', ApiVersion: '1.50', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64', KernelVersion: '6.1.0-18-amd64' };
const web = {
  Id: 'c2'.padEnd(64, '0'),
  Names: ['/shop-web-1'],
  Image: 'nginx:1.27',
  ImageID: 'sha256:aaa',
  Command: 'nginx -g daemon off;',
  Created: 1_735_689_600,
  Ports: [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ],
  Labels: {
    'com.docker.compose.project': 'shop',
    'com.docker.compose.service': 'web',
    'com.docker.compose.project.working_dir': '/srv/shop',
    'com.docker.compose.project.config_files': '/srv/shop/compose.yaml',
  },
  State: 'running',
  Status: 'Up 5 minutes (healthy)',
  HostConfig: { NetworkMode: 'shop_default' },
};
const db = {
  ...web,
  Id: 'c3'.padEnd(64, '0'),
  Names: ['/shop-db-1'],
  Ports: [],
  Labels: { ...web.Labels, 'com.docker.compose.service': 'db' },
  State: 'exited',
  Status: 'Exited (137) About an hour ago',
};
const plain = { Id: 'c1'.padEnd(64, '0'), Names: ['/lonely'], Image: 'busybox', ImageID: 'sha256:bbb', Command: 'sh', Created: 1_735_689_600, Ports: [], Labels: null, State: 'paused', Status: 'Up 2 days (Paused)' };

const answers: EngineAnswers = {
  info,
  version,
  containers: [web, plain, db, { Names: ['/no-id'] }, 'garbage'],
  images: [
    { Id: 'sha256:bbb', RepoTags: ['busybox:latest', 'busybox:1.36'], RepoDigests: ['busybox@sha256:1'], Size: 4_261_550, Created: 1_700_000_000, Labels: null },
    { Id: 'sha256:ccc', RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Size: 10, Created: 1_700_000_000 },
  ],
  volumes: {
    Volumes: [
      { Name: 'shop_data', Driver: 'local', Mountpoint: '/var/lib/docker/volumes/shop_data/_data', Labels: { 'com.docker.compose.project': 'shop' }, Scope: 'local' },
      { Name: 'scratch', Driver: 'local', Mountpoint: '/var/lib/docker/volumes/scratch/_data', Labels: null, Scope: 'local' },
    ],
    Warnings: null,
  },
  networks: [
    { Name: 'bridge', Id: 'n1', Driver: 'bridge', Scope: 'local', Labels: {} },
    { Name: 'shop_default', Id: 'n2', Driver: 'bridge', Scope: 'local', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.network': 'default' } },
  ],
};

describe('toSnapshot', () => {
  const s = toSnapshot(answers, '2026-02-01T00:00:00.000Z');

  it('produces a snapshot the protocol accepts', () => {
    expect(EngineSnapshotSchema.safeParse(s).success).toBe(true);
    expect(s.truncated).toBeUndefined();
  });

  it('maps the engine from /info and /version', () => {
    expect(s.engine).toEqual({
      name: 'host-a',
      version: '28.2.2',
      apiVersion: '1.50',
      os: 'Debian GNU/Linux 12 (bookworm)',
      arch: 'x86_64',
      kernelVersion: '6.1.0-18-amd64',
      cpus: 8,
      memoryBytes: 16_647_426_048,
      storageDriver: 'overlay2',
    });
  });

  it('maps containers, skipping malformed entries, with stable status and health', () => {
    expect(s.containers.map((c) => c.name)).toEqual(['lonely', 'shop-web-1', 'shop-db-1']);
    const w = s.containers.find((c) => c.name === 'shop-web-1');
    expect(w).toMatchObject({
      image: 'nginx:1.27',
      imageId: 'sha256:aaa',
      createdAt: '2025-01-01T00:00:00.000Z',
      state: 'running',
      status: 'Up (healthy)',
      health: 'healthy',
      composeProject: 'shop',
      composeService: 'web',
    });
    expect(w?.ports).toEqual([
      { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '0.0.0.0' },
      { privatePort: 80, publicPort: 8080, type: 'tcp', ip: '::' },
    ]);
    const lonely = s.containers.find((c) => c.name === 'lonely');
    expect(lonely).toMatchObject({ state: 'paused', status: 'Up (Paused)', health: null, labels: {}, composeProject: null });
  });

  it('maps images without <none> references', () => {
    expect(s.images).toEqual([
      { id: 'sha256:bbb', repoTags: ['busybox:1.36', 'busybox:latest'], repoDigests: ['busybox@sha256:1'], size: 4_261_550, createdAt: '2023-11-14T22:13:20.000Z' },
      { id: 'sha256:ccc', repoTags: [], repoDigests: [], size: 10, createdAt: '2023-11-14T22:13:20.000Z' },
    ]);
  });

  it('maps volumes and networks with their compose project', () => {
    expect(s.volumes.map((v) => [v.name, v.composeProject])).toEqual([
      ['scratch', null],
      ['shop_data', 'shop'],
    ]);
    expect(s.networks.map((n) => [n.name, n.composeProject])).toEqual([
      ['bridge', null],
      ['shop_default', 'shop'],
    ]);
  });

  it('finds compose projects from container labels', () => {
    expect(s.composeProjects).toEqual([
      { name: 'shop', services: ['db', 'web'], containers: 2, running: 1, workingDir: '/srv/shop', configFiles: '/srv/shop/compose.yaml' },
    ]);
  });

  it('survives answers of the wrong shape', () => {
    const empty = toSnapshot({ info: null, version: 'x', containers: {}, images: null, volumes: [], networks: 7 }, 't');
    expect(EngineSnapshotSchema.safeParse(empty).success).toBe(true);
    expect(empty.containers).toEqual([]);
  });

  it('clamps long strings and caps collections, marking the snapshot truncated', () => {
    const many = Array.from({ length: MAX_ITEMS + 5 }, (_, i) => ({ Name: `v${i}`, Driver: 'local', Mountpoint: '/m', Labels: null }));
    const big = toSnapshot({ ...answers, containers: [{ ...web, Command: 'x'.repeat(5000) }], volumes: { Volumes: many } }, 't');
    expect(big.volumes).toHaveLength(MAX_ITEMS);
    expect(big.truncated).toBe(true);
    expect(big.containers[0]?.command).toHaveLength(1024);
    expect(EngineSnapshotSchema.safeParse(big).success).toBe(true);
  });
});

describe('stableStatus', () => {
  it('drops relative times', () => {
    expect(stableStatus('Up Less than a second')).toBe('Up');
    expect(stableStatus('Up About a minute (health: starting)')).toBe('Up (health: starting)');
    expect(stableStatus('Restarting (1) 3 seconds ago')).toBe('Restarting (1)');
    expect(stableStatus('Created')).toBe('Created');
  });
});

describe('events', () => {
  it('parses event lines and ignores health probes and other inert actions', () => {
    const start = parseEvent('{"Type":"container","Action":"start","Actor":{"ID":"x"},"time":1}');
    expect(start).toEqual({ type: 'container', action: 'start' });
    expect(changesState(start!)).toBe(true);
    expect(changesState({ type: 'container', action: 'exec_start: /bin/sh -c true' })).toBe(false);
    expect(changesState({ type: 'container', action: 'health_status: unhealthy' })).toBe(true);
    expect(changesState({ type: 'volume', action: 'create' })).toBe(true);
    expect(changesState({ type: 'daemon', action: 'reload' })).toBe(false);
    expect(parseEvent('not json')).toBeNull();
    expect(parseEvent('[1]')).toBeNull();
  });
});

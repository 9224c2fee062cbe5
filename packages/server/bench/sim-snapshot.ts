// A small, realistic engine snapshot for the simulated async agents: ten containers (two compose
// projects and two standalone), their images, volumes and networks. Deterministic per host, so every
// agent's first snapshot differs only in its engine name and ids; the compose projects' counts follow
// the containers, as the real agent derives them.
import { createHash } from 'node:crypto';
import { canonicalSnapshot, type EngineSnapshot, type SnapshotContainer } from '@capstan/protocol';
import { hashCanonical } from '../src/modules/snapshots/snapshots.service.ts';

interface Spec {
  name: string;
  image: string;
  project: string | null;
  ports: number[];
  volume?: string;
}

const SPECS: readonly Spec[] = [
  { name: 'web', image: 'nginx:1.27-alpine', project: 'shop', ports: [80, 443] },
  { name: 'api', image: 'registry.example.com/shop/api:2.14.1', project: 'shop', ports: [8080] },
  { name: 'worker', image: 'registry.example.com/shop/api:2.14.1', project: 'shop', ports: [] },
  { name: 'db', image: 'postgres:16', project: 'shop', ports: [], volume: 'shop_pgdata' },
  { name: 'cache', image: 'redis:7-alpine', project: 'shop', ports: [] },
  {
    name: 'prometheus',
    image: 'prom/prometheus:v2.53.0',
    project: 'monitoring',
    ports: [9090],
    volume: 'monitoring_prom',
  },
  {
    name: 'grafana',
    image: 'grafana/grafana:11.1.0',
    project: 'monitoring',
    ports: [3000],
    volume: 'monitoring_grafana',
  },
  { name: 'node-exporter', image: 'prom/node-exporter:v1.8.1', project: 'monitoring', ports: [9100] },
  { name: 'watchtower', image: 'containrrr/watchtower:1.7.1', project: null, ports: [] },
  { name: 'backup', image: 'restic/restic:0.16.4', project: null, ports: [] },
];

/** The number of containers in a simulated snapshot. */
export const SIM_CONTAINERS = SPECS.length;

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const images = [...new Set(SPECS.map((s) => s.image))];
const projects = [...new Set(SPECS.flatMap((s) => (s.project ? [s.project] : [])))];

function container(host: string, spec: Spec, running: boolean): SnapshotContainer {
  const p = spec.project;
  const compose: Record<string, string> = p
    ? {
        'com.docker.compose.project': p,
        'com.docker.compose.service': spec.name,
        'com.docker.compose.container-number': '1',
        'com.docker.compose.oneoff': 'False',
        'com.docker.compose.version': '2.29.1',
        'com.docker.compose.config-hash': hex(`${p}/${spec.name}`),
        'com.docker.compose.project.working_dir': `/srv/${p}`,
        'com.docker.compose.project.config_files': `/srv/${p}/compose.yaml`,
      }
    : {};
  return {
    id: hex(`${host}/${spec.name}`),
    name: p ? `${p}-${spec.name}-1` : spec.name,
    image: spec.image,
    imageId: `sha256:${hex(spec.image)}`,
    command: spec.name === 'db' ? 'docker-entrypoint.sh postgres' : `/entrypoint.sh ${spec.name}`,
    createdAt: '2026-01-12T09:30:00.000Z',
    state: running ? 'running' : 'exited',
    status: running ? 'Up' : 'Exited (0)',
    health: running && spec.name === 'api' ? 'healthy' : null,
    labels: { ...compose, 'org.opencontainers.image.source': `https://example.com/${spec.name}` },
    ports: spec.ports.map((port) => ({ privatePort: port, publicPort: port, type: 'tcp', ip: '0.0.0.0' })),
    composeProject: p,
    composeService: p ? spec.name : null,
  };
}

/** The snapshot of host `host` at `takenAt`; `running[i]` says whether container i runs (default all). */
export function simSnapshot(host: string, takenAt: string, running: readonly boolean[] = []): EngineSnapshot {
  const containers = SPECS.map((s, i) => container(host, s, running[i] ?? true));
  return {
    takenAt,
    engine: {
      name: host,
      version: '27.3.1',
      apiVersion: '1.47',
      os: 'Debian GNU/Linux 12 (bookworm)',
      arch: 'x86_64',
      kernelVersion: '6.1.0-28-amd64',
      cpus: 4,
      memoryBytes: 8_323_002_368,
      storageDriver: 'overlay2',
    },
    containers,
    images: images.map((image, i) => ({
      id: `sha256:${hex(image)}`,
      repoTags: [image],
      repoDigests: [`${image.split(':')[0] ?? image}@sha256:${hex(`digest/${image}`)}`],
      size: 20_000_000 + i * 37_000_000,
      createdAt: '2025-12-01T00:00:00.000Z',
    })),
    volumes: SPECS.flatMap((s) =>
      s.volume
        ? [
            {
              name: s.volume,
              driver: 'local',
              mountpoint: `/var/lib/docker/volumes/${s.volume}/_data`,
              labels: { 'com.docker.compose.project': s.project ?? '', 'com.docker.compose.volume': s.name },
              composeProject: s.project,
            },
          ]
        : [],
    ),
    networks: [
      ...['bridge', 'host', 'none'].map((name) => ({
        id: hex(`${host}/net/${name}`),
        name,
        driver: name === 'none' ? 'null' : name,
        scope: 'local',
        labels: {},
        composeProject: null,
      })),
      ...projects.map((p) => ({
        id: hex(`${host}/net/${p}`),
        name: `${p}_default`,
        driver: 'bridge',
        scope: 'local',
        labels: { 'com.docker.compose.network': 'default', 'com.docker.compose.project': p },
        composeProject: p,
      })),
    ],
    composeProjects: projects.map((p) => {
      const mine = containers.filter((c) => c.composeProject === p);
      return {
        name: p,
        services: mine.map((c) => c.composeService ?? c.name),
        containers: mine.length,
        running: mine.filter((c) => c.state === 'running').length,
        workingDir: `/srv/${p}`,
        configFiles: `/srv/${p}/compose.yaml`,
      };
    }),
  };
}

/** The snapshot's hash exactly as the server computes it: sha256 hex of its canonical text. */
export function snapshotHash(snapshot: EngineSnapshot): string {
  return hashCanonical(canonicalSnapshot(snapshot));
}

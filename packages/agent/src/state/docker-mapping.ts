// Docker Engine API answers → EngineSnapshot. Pure: the collector does the I/O. Every string is
// clamped to the schema's bounds so a frame built from any engine validates on both ends.
import type {
  EngineSnapshot,
  SnapshotComposeProject,
  SnapshotContainer,
  SnapshotEngine,
  SnapshotImage,
  SnapshotNetwork,
  SnapshotVolume,
} from '@capstan/protocol';

/** The bodies of GET /info, /version, /containers/json?all=1, /images/json, /volumes, /networks. */
export interface EngineAnswers {
  readonly info: unknown;
  readonly version: unknown;
  readonly containers: unknown;
  readonly images: unknown;
  readonly volumes: unknown;
  readonly networks: unknown;
}

/** Most items per collection the schema allows; beyond this the snapshot is marked truncated. */
export const MAX_ITEMS = 10_000;

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';
const COMPOSE_WORKING_DIR = 'com.docker.compose.project.working_dir';
const COMPOSE_CONFIG_FILES = 'com.docker.compose.project.config_files';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.slice(0, max) : '');
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(Math.min(v, Number.MAX_SAFE_INTEGER)) : 0);
const optStr = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Unix seconds (Docker's `Created`) → ISO-8601; '' when absent. */
function isoFromUnix(v: unknown): string {
  const n = typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  return n > 0 && n < 1e11 ? new Date(n * 1000).toISOString() : '';
}

const RELATIVE_TIME = /\s*(?:about an? |less than a |\d+ )(?:second|minute|hour|day|week|month|year)s?(?: ago)?/gi;

/** Docker's container status text without relative times: "Up 5 minutes (healthy)" → "Up (healthy)". */
export function stableStatus(status: string): string {
  return status.replace(RELATIVE_TIME, '').replace(/\s+/g, ' ').trim();
}

/** Health from the summary's Health object (API ≥ 1.52) or the status text; null without a check. */
function healthOf(c: Json, status: string): string | null {
  const h = optStr(obj(c.Health).Status, 32);
  if (h && h !== 'none') return h;
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!m) return null;
  return m[1] === 'health: starting' ? 'starting' : (m[1] ?? null);
}

function toContainer(v: unknown): SnapshotContainer | null {
  const c = obj(v);
  const id = str(c.Id, 128);
  if (!id) return null;
  const labels = labelsOf(c.Labels);
  const rawStatus = str(c.Status, 1024);
  const name = str(arr(c.Names)[0], 257).replace(/^\//, '').slice(0, 256);
  const ports = new Map<string, SnapshotContainer['ports'][number]>();
  for (const p of arr(c.Ports)) {
    const o = obj(p);
    const port: SnapshotContainer['ports'][number] = { privatePort: int(o.PrivatePort), type: str(o.Type, 8) || 'tcp' };
    if (typeof o.PublicPort === 'number') port.publicPort = int(o.PublicPort);
    const ip = optStr(o.IP, 64);
    if (ip) port.ip = ip;
    ports.set(`${port.privatePort}/${port.type}/${port.ip ?? ''}/${port.publicPort ?? ''}`, port);
  }
  return {
    id,
    name,
    image: str(c.Image, 512),
    imageId: str(c.ImageID, 128),
    command: str(c.Command, 1024),
    createdAt: isoFromUnix(c.Created),
    state: str(c.State, 32).toLowerCase(),
    status: stableStatus(rawStatus).slice(0, 256),
    health: healthOf(c, rawStatus),
    labels,
    ports: [...ports.entries()].sort(([a], [b]) => cmp(a, b)).slice(0, 256).map(([, p]) => p),
    composeProject: optStr(labels[COMPOSE_PROJECT], 256),
    composeService: optStr(labels[COMPOSE_SERVICE], 256),
  };
}

const realRef = (r: string): boolean => r.length > 0 && r !== '<none>:<none>' && r !== '<none>@<none>';

function toImage(v: unknown): SnapshotImage | null {
  const i = obj(v);
  const id = str(i.Id, 128);
  if (!id) return null;
  const refs = (x: unknown) => [...new Set(arr(x).map((r) => str(r, 512)).filter(realRef))].sort(cmp).slice(0, 256);
  return { id, repoTags: refs(i.RepoTags), repoDigests: refs(i.RepoDigests), size: int(i.Size), createdAt: isoFromUnix(i.Created) };
}

function toVolume(v: unknown): SnapshotVolume | null {
  const o = obj(v);
  const name = str(o.Name, 256);
  if (!name) return null;
  const labels = labelsOf(o.Labels);
  return { name, driver: str(o.Driver, 128), mountpoint: str(o.Mountpoint, 4096), labels, composeProject: optStr(labels[COMPOSE_PROJECT], 256) };
}

function toNetwork(v: unknown): SnapshotNetwork | null {
  const o = obj(v);
  const id = str(o.Id, 128);
  if (!id) return null;
  const labels = labelsOf(o.Labels);
  return { id, name: str(o.Name, 256), driver: str(o.Driver, 128), scope: str(o.Scope, 32), labels, composeProject: optStr(labels[COMPOSE_PROJECT], 256) };
}

/** Compose projects of the containers carrying com.docker.compose.project, by name. */
export function composeProjectsOf(containers: readonly SnapshotContainer[]): SnapshotComposeProject[] {
  const projects = new Map<string, SnapshotComposeProject & { serviceSet: Set<string> }>();
  // Sorted by id so workingDir/configFiles come from the same container every time.
  for (const c of [...containers].sort((a, b) => cmp(a.id, b.id))) {
    if (!c.composeProject) continue;
    let p = projects.get(c.composeProject);
    if (!p) {
      p = {
        name: c.composeProject,
        services: [],
        serviceSet: new Set(),
        containers: 0,
        running: 0,
        workingDir: optStr(c.labels[COMPOSE_WORKING_DIR], 4096),
        configFiles: optStr(c.labels[COMPOSE_CONFIG_FILES], 4096),
      };
      projects.set(c.composeProject, p);
    }
    p.containers++;
    if (c.state === 'running' || c.state === 'restarting') p.running++;
    if (c.composeService) p.serviceSet.add(c.composeService);
  }
  return [...projects.values()]
    .sort((a, b) => cmp(a.name, b.name))
    .map(({ serviceSet, ...p }) => ({ ...p, services: [...serviceSet].sort(cmp).slice(0, 1024) }));
}

function toEngine(infoBody: unknown, versionBody: unknown): SnapshotEngine {
  const info = obj(infoBody);
  const version = obj(versionBody);
  return {
    name: str(info.Name, 256),
    version: str(version.Version, 64) || str(info.ServerVersion, 64),
    apiVersion: str(version.ApiVersion, 16),
    os: str(info.OperatingSystem, 128) || str(version.Os, 128),
    arch: str(info.Architecture, 64) || str(version.Arch, 64),
    kernelVersion: str(info.KernelVersion, 256) || str(version.KernelVersion, 256),
    cpus: int(info.NCPU),
    memoryBytes: int(info.MemTotal),
    storageDriver: str(info.Driver, 64),
  };
}

/** Items mapped, deduplicated by key, sorted by key, capped at MAX_ITEMS (`cut` says whether any were left out). */
function collect<T>(raw: unknown[], map: (v: unknown) => T | null, key: (t: T) => string): { items: T[]; cut: boolean } {
  const byKey = new Map<string, T>();
  for (const v of raw) {
    const item = map(v);
    if (item) byKey.set(key(item), item);
  }
  const sorted = [...byKey.entries()].sort(([a], [b]) => cmp(a, b)).map(([, t]) => t);
  return { items: sorted.slice(0, MAX_ITEMS), cut: sorted.length > MAX_ITEMS };
}

/** Maps the engine's answers to a snapshot taken at `takenAt`; malformed entries are skipped, never fatal. */
export function toSnapshot(answers: EngineAnswers, takenAt: string): EngineSnapshot {
  const containers = collect(arr(answers.containers), toContainer, (c) => c.id);
  const images = collect(arr(answers.images), toImage, (i) => i.id);
  const volumes = collect(arr(obj(answers.volumes).Volumes), toVolume, (v) => v.name);
  const networks = collect(arr(answers.networks), toNetwork, (n) => n.id);
  const composeProjects = composeProjectsOf(containers.items).slice(0, MAX_ITEMS);
  const truncated = containers.cut || images.cut || volumes.cut || networks.cut;
  return {
    takenAt,
    engine: toEngine(answers.info, answers.version),
    containers: containers.items,
    images: images.items,
    volumes: volumes.items,
    networks: networks.items,
    composeProjects,
    ...(truncated ? { truncated: true } : {}),
  };
}

/** One Docker event, as much of it as the reporter needs. */
export interface EngineEvent {
  readonly type: string;
  readonly action: string;
}

// Container events that leave the snapshot as it was (health probes run as execs every few seconds).
const INERT_ACTIONS = new Set(['attach', 'detach', 'resize', 'top', 'export', 'copy', 'archive-path', 'extract-to-dir']);

/** Parses one line of GET /events; null for anything that is not an event object. */
export function parseEvent(line: string): EngineEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const o = obj(v);
  const type = str(o.Type, 64);
  const action = str(o.Action, 256) || str(o.status, 256);
  return type ? { type, action } : null;
}

/** Whether an event may change what a snapshot holds (and so calls for a new collection). */
export function changesState(e: EngineEvent): boolean {
  if (!['container', 'image', 'volume', 'network'].includes(e.type)) return false;
  const action = e.action.split(':')[0]?.trim() ?? '';
  return !action.startsWith('exec_') && !INERT_ACTIONS.has(action);
}

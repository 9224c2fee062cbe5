// ServiceSpec → the body of Docker's POST /containers/create (Engine API 1.41+), plus the networks
// to connect after creation (older engines take one endpoint at create). Pure.
import path from 'node:path';
import { containerLabels, containerNameFor, type ComposeProject, type MountSpec, type PortSpec, type ServiceSpec, type StackOrigin } from '@capstan/protocol';
import type { FileMounts } from './stack-files.ts';

/** Everything a container of a service is made from. */
export interface ContainerInput {
  readonly project: ComposeProject;
  readonly service: ServiceSpec;
  readonly number: number;
  /** Image reference to create from (the pin when the target has one). */
  readonly image: string;
  readonly origin: StackOrigin;
  readonly files: FileMounts;
  /** What `~` in a bind source stands for (docker-compose expands it to the home of the user running it). */
  readonly homeDir: string;
  /** Container path → volume of the replaced container to mount there again (see carriedVolumes). */
  readonly carried?: Readonly<Record<string, string>>;
}

/** A named volume mount of a container, as its inspect lists it. */
export interface VolumeMount {
  readonly name: string;
  readonly target: string;
}

/** The volume mounts in an inspect answer (GET /containers/{id}/json `Mounts`, Type volume, with a Name). */
export function volumeMountsOf(inspect: Record<string, unknown>): VolumeMount[] {
  const mounts = Array.isArray(inspect.Mounts) ? (inspect.Mounts as Array<Record<string, unknown>>) : [];
  return mounts.flatMap((m) => (m.Type === 'volume' && typeof m.Name === 'string' && m.Name !== '' && typeof m.Destination === 'string' ? [{ name: m.Name, target: m.Destination }] : []));
}

const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

/**
 * What a recreated container mounts again of the container it replaces (path → volume), as
 * docker-compose 1.29 does: the old anonymous volumes (engine-named, not one of the project's
 * volumes) at paths where the service declares an anonymous volume, or where the new image
 * declares a VOLUME that no mount of the service covers. Everything else starts fresh.
 */
export function carriedVolumes(previous: readonly VolumeMount[], project: ComposeProject, service: ServiceSpec, imageVolumes: readonly string[]): Record<string, string> {
  const named = new Set(Object.values(project.volumes).map((v) => v.name));
  const anonymousTargets = new Set(service.mounts.filter((m) => m.type === 'volume' && m.source === null).map((m) => m.target));
  const covered = new Set([...service.mounts.map((m) => m.target), ...service.secrets.map((x) => x.target), ...service.configs.map((x) => x.target)]);
  const wanted = new Set([...anonymousTargets, ...imageVolumes.filter((t) => !covered.has(t))]);
  const out: Record<string, string> = {};
  for (const m of previous) if (wanted.has(m.target) && ANONYMOUS_VOLUME.test(m.name) && !named.has(m.name)) out[m.target] = m.name;
  return out;
}

/** An endpoint to attach after creation: POST /networks/{network}/connect. */
export interface ExtraNetwork {
  readonly network: string;
  readonly endpoint: Record<string, unknown>;
}

/** The create call: container name, body, and further networks. */
export interface ContainerCreate {
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly extraNetworks: readonly ExtraNetwork[];
}

const ns = (ms: number | null): number | undefined => (ms === null ? undefined : ms * 1_000_000);

/** Docker's restart policy from compose's `restart:` (no | always | unless-stopped | on-failure[:max]). */
export function restartPolicy(restart: string): { Name: string; MaximumRetryCount?: number } {
  const [name = 'no', max] = restart.split(':');
  if (name === 'on-failure') return { Name: 'on-failure', MaximumRetryCount: max ? Number(max) || 0 : 0 };
  return { Name: name === 'no' ? 'no' : name };
}

/** PortBindings and the exposed ports they imply, one entry per container port of each range. */
export function portBindings(ports: readonly PortSpec[]): { bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>; exposed: string[] } {
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  const exposed: string[] = [];
  for (const p of ports) {
    const count = p.targetEnd - p.target + 1;
    const [start, end] = (p.published ?? '').split('-').map((x) => Number(x));
    const hostRange = p.published !== null && start !== undefined && Number.isInteger(start) && end !== undefined && Number.isInteger(end) && end - start + 1 === count;
    for (let i = 0; i < count; i++) {
      const key = `${p.target + i}/${p.protocol}`;
      // One container port may take a host range ("8000-8010:80": any free one), kept as written.
      const hostPort = p.published === null ? '' : hostRange && count > 1 ? String(start + i) : p.published;
      (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: hostPort });
      exposed.push(key);
    }
  }
  return { bindings, exposed };
}

/** A bind source: absolute as is, `~` / `~/x` under the home directory, relative against the stack's working directory. */
export function bindSource(source: string, workingDir: string, homeDir: string): string {
  if (source === '~' || source.startsWith('~/')) return path.join(homeDir, source.slice(1));
  return path.isAbsolute(source) ? source : path.resolve(workingDir, source);
}

/** Binds (short-form binds, which create a missing host path) and Mounts (everything else, secrets and configs as read-only binds like docker-compose 1.29's secrets). */
function mountsOf(input: ContainerInput): { binds: string[]; mounts: Array<Record<string, unknown>> } {
  const { project, service, origin, files } = input;
  const binds: string[] = [];
  const mounts: Array<Record<string, unknown>> = [];
  const bindOpts = (m: MountSpec): string => [m.readOnly ? 'ro' : 'rw', ...(m.propagation ? [m.propagation] : [])].join(',');
  for (const m of service.mounts) {
    if (m.type === 'bind') {
      const source = bindSource(m.source ?? '.', origin.workingDir, input.homeDir);
      if (m.createHostPath) binds.push(`${source}:${m.target}:${bindOpts(m)}`);
      else mounts.push({ Type: 'bind', Source: source, Target: m.target, ReadOnly: m.readOnly, ...(m.propagation ? { BindOptions: { Propagation: m.propagation } } : {}) });
    } else if (m.type === 'volume') {
      const name = m.source === null ? input.carried?.[m.target] : (project.volumes[m.source]?.name ?? m.source);
      mounts.push({ Type: 'volume', ...(name ? { Source: name } : {}), Target: m.target, ReadOnly: m.readOnly, ...(m.noCopy ? { VolumeOptions: { NoCopy: true } } : {}) });
    } else {
      const tmpfs = { ...(m.tmpfsSizeBytes !== null ? { SizeBytes: m.tmpfsSizeBytes } : {}), ...(m.tmpfsMode !== null ? { Mode: m.tmpfsMode } : {}) };
      mounts.push({ Type: 'tmpfs', Target: m.target, ReadOnly: m.readOnly, ...(Object.keys(tmpfs).length > 0 ? { TmpfsOptions: tmpfs } : {}) });
    }
  }
  for (const s of service.secrets) mounts.push({ Type: 'bind', Source: files.path('secret', s.source, s.mode), Target: s.target, ReadOnly: true });
  for (const c of service.configs) mounts.push({ Type: 'bind', Source: files.path('config', c.source, c.mode), Target: c.target, ReadOnly: true });
  // The image's own VOLUMEs carried over (carriedVolumes left out every path a mount above covers).
  const declared = new Set(service.mounts.map((m) => m.target));
  for (const [target, name] of Object.entries(input.carried ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!declared.has(target)) mounts.push({ Type: 'volume', Source: name, Target: target, ReadOnly: false });
  }
  return { binds, mounts };
}

/** The engine-side network mode: explicit mode (service:x → the first container of x), else the first project network. */
function networkMode(project: ComposeProject, service: ServiceSpec, networkKeys: string[]): string {
  if (service.networkMode !== null) {
    const m = /^service:(.+)$/.exec(service.networkMode);
    if (m?.[1]) {
      const dep = project.services[m[1]];
      return `container:${containerNameFor(project.name, m[1], dep?.containerName ?? null, 1)}`;
    }
    return service.networkMode;
  }
  const first = networkKeys[0];
  return first ? (project.networks[first]?.name ?? first) : 'none';
}

function endpoint(service: ServiceSpec, key: string): Record<string, unknown> {
  const n = service.networks[key];
  const ipam = n && (n.ipv4Address || n.ipv6Address) ? { IPAMConfig: { ...(n.ipv4Address ? { IPv4Address: n.ipv4Address } : {}), ...(n.ipv6Address ? { IPv6Address: n.ipv6Address } : {}) } } : {};
  return { Aliases: [...new Set([service.name, ...(n?.aliases ?? [])])], ...ipam };
}

/** The create call for container `number` of the service. */
export function containerCreate(input: ContainerInput): ContainerCreate {
  const { project, service } = input;
  const name = containerNameFor(project.name, service.name, service.containerName, input.number);
  const { bindings, exposed } = portBindings(service.ports);
  const { binds, mounts } = mountsOf(input);
  const networkKeys = service.networkMode === null ? Object.keys(service.networks).sort() : [];
  const mode = networkMode(project, service, networkKeys);
  const netName = (key: string): string => project.networks[key]?.name ?? key;
  const hc = service.healthcheck;
  const ulimits = Object.entries(service.ulimits)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([n, u]) => ({ Name: n, Soft: u.soft, Hard: u.hard }));
  // A variable without a value is sent as the bare name, as docker-compose 1.29 does: the engine then unsets it (the image's value too).
  const env = Object.entries(service.environment).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  const body: Record<string, unknown> = {
    Image: input.image,
    Labels: containerLabels(project, service, input.number, input.origin),
    Env: env,
    ...(service.command !== null ? { Cmd: service.command } : {}),
    ...(service.entrypoint !== null ? { Entrypoint: service.entrypoint } : {}),
    ExposedPorts: Object.fromEntries([...new Set([...exposed, ...service.expose.map((e) => (e.includes('/') ? e : `${e}/tcp`))])].map((p) => [p, {}])),
    ...(service.user !== null ? { User: service.user } : {}),
    ...(service.workingDir !== null ? { WorkingDir: service.workingDir } : {}),
    ...(service.hostname !== null ? { Hostname: service.hostname } : {}),
    ...(service.domainname !== null ? { Domainname: service.domainname } : {}),
    ...(service.stopSignal !== null ? { StopSignal: service.stopSignal } : {}),
    ...(service.stopGracePeriodMs !== null ? { StopTimeout: Math.ceil(service.stopGracePeriodMs / 1000) } : {}),
    Tty: service.tty,
    OpenStdin: service.stdinOpen,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(hc
      ? { Healthcheck: { Test: hc.test, ...(hc.intervalMs !== null ? { Interval: ns(hc.intervalMs) } : {}), ...(hc.timeoutMs !== null ? { Timeout: ns(hc.timeoutMs) } : {}), ...(hc.startPeriodMs !== null ? { StartPeriod: ns(hc.startPeriodMs) } : {}), ...(hc.retries !== null ? { Retries: hc.retries } : {}) } }
      : {}),
    HostConfig: {
      Binds: binds,
      Mounts: mounts,
      PortBindings: bindings,
      RestartPolicy: restartPolicy(service.restart),
      NetworkMode: mode,
      ...(service.limits.cpus !== null ? { NanoCpus: Math.round(service.limits.cpus * 1e9) } : {}),
      ...(service.limits.memoryBytes !== null ? { Memory: service.limits.memoryBytes } : {}),
      ...(service.limits.pids !== null ? { PidsLimit: service.limits.pids } : {}),
      ...(service.reservations.memoryBytes !== null ? { MemoryReservation: service.reservations.memoryBytes } : {}),
      Ulimits: ulimits,
      ...(service.logging ? { LogConfig: { Type: service.logging.driver, Config: service.logging.options } } : {}),
      CapAdd: service.capAdd,
      CapDrop: service.capDrop,
      Privileged: service.privileged,
      ReadonlyRootfs: service.readOnly,
      ...(service.init !== null ? { Init: service.init } : {}),
      ...(service.shmSizeBytes !== null ? { ShmSize: service.shmSizeBytes } : {}),
      Sysctls: service.sysctls,
      ExtraHosts: service.extraHosts,
      Dns: service.dns,
    },
    ...(networkKeys[0] !== undefined ? { NetworkingConfig: { EndpointsConfig: { [netName(networkKeys[0])]: endpoint(service, networkKeys[0]) } } } : {}),
  };
  const extraNetworks = networkKeys.slice(1).map((key) => ({ network: netName(key), endpoint: endpoint(service, key) }));
  return { name, body, extraNetworks };
}

/** The body of POST /networks/create for project network `key`. */
export function networkCreate(project: ComposeProject, key: string, labels: Record<string, string>): Record<string, unknown> {
  const n = project.networks[key];
  if (!n) throw new Error(`the project has no network "${key}"`);
  return {
    Name: n.name,
    CheckDuplicate: true,
    ...(n.driver !== null ? { Driver: n.driver } : {}),
    Options: n.driverOpts,
    Internal: n.internal,
    // Always, as docker-compose 1.29 creates networks (API 1.24+): standalone containers can only join a swarm-scoped (overlay) network that is attachable.
    Attachable: true,
    EnableIPv6: n.enableIpv6,
    ...(n.ipam
      ? {
          IPAM: {
            ...(n.ipam.driver !== null ? { Driver: n.ipam.driver } : {}),
            Config: n.ipam.config.map((c) => ({ ...(c.subnet ? { Subnet: c.subnet } : {}), ...(c.gateway ? { Gateway: c.gateway } : {}), ...(c.ipRange ? { IPRange: c.ipRange } : {}) })),
          },
        }
      : {}),
    Labels: labels,
  };
}

/** The body of POST /volumes/create for project volume `key`. */
export function volumeCreate(project: ComposeProject, key: string, labels: Record<string, string>): Record<string, unknown> {
  const v = project.volumes[key];
  if (!v) throw new Error(`the project has no volume "${key}"`);
  return { Name: v.name, ...(v.driver !== null ? { Driver: v.driver } : {}), ...(Object.keys(v.driverOpts).length > 0 ? { DriverOpts: v.driverOpts } : {}), Labels: labels };
}

// Hand-built compose projects for planner and engine tests: every ServiceSpec field at its compose
// default, overridable per test.
import type { ComposeProject, NetworkSpec, ServiceSpec, VolumeSpec } from '../compose/model.ts';
import type { StackTarget } from './commands.ts';

/** A service with compose's defaults, on the default network. */
export function service(name: string, image: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    image,
    command: null,
    entrypoint: null,
    environment: {},
    ports: [],
    expose: [],
    mounts: [],
    networks: { default: { aliases: [], ipv4Address: null, ipv6Address: null } },
    networkMode: null,
    dependsOn: {},
    healthcheck: null,
    restart: 'no',
    labels: {},
    user: null,
    workingDir: null,
    hostname: null,
    domainname: null,
    extraHosts: [],
    dns: [],
    capAdd: [],
    capDrop: [],
    privileged: false,
    ulimits: {},
    logging: null,
    limits: { cpus: null, memoryBytes: null, pids: null },
    reservations: { cpus: null, memoryBytes: null, pids: null },
    readOnly: false,
    stopGracePeriodMs: null,
    stopSignal: null,
    init: null,
    shmSizeBytes: null,
    sysctls: {},
    tty: false,
    stdinOpen: false,
    secrets: [],
    configs: [],
    containerName: null,
    replicas: 1,
    pullPolicy: 'missing',
    ...over,
  };
}

/** A project network named `<project>_<key>`. */
export function network(project: string, key: string, over: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    name: `${project}_${key}`,
    external: false,
    driver: null,
    driverOpts: {},
    internal: false,
    attachable: false,
    enableIpv6: false,
    ipam: null,
    labels: {},
    ...over,
  };
}

/** A project volume named `<project>_<key>`. */
export function volume(project: string, key: string, over: Partial<VolumeSpec> = {}): VolumeSpec {
  return { name: `${project}_${key}`, external: false, driver: null, driverOpts: {}, labels: {}, ...over };
}

/** A project of `services` with a default network (and the volumes named). */
export function project(name: string, services: ServiceSpec[], extra: Partial<Omit<ComposeProject, 'name' | 'services'>> = {}): ComposeProject {
  return {
    name,
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    networks: { default: network(name, 'default') },
    volumes: {},
    secrets: {},
    configs: {},
    ...extra,
  };
}

/** A stack target for a project. */
export function target(p: ComposeProject, versionId = 1, imagePins: Record<string, string> = {}, stackId = 1): StackTarget {
  return { stackId, versionId, project: p, imagePins };
}

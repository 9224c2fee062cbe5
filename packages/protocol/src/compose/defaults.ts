// Compose's defaults for an absent key, as one place for the reader and for hand-built test projects.
import type { NetworkSpec, ServiceSpec } from './model.ts';

/** Resources with no limit set. */
export function noResources(): ServiceSpec['limits'] {
  return { cpus: null, memoryBytes: null, pids: null };
}

/** A service with every field at its default (compose's defaults when a key is absent). */
export function emptySpec(name: string): ServiceSpec {
  return {
    name,
    image: '',
    command: null,
    entrypoint: null,
    environment: {},
    ports: [],
    expose: [],
    mounts: [],
    networks: {},
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
    limits: noResources(),
    reservations: noResources(),
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
  };
}

/** A project network `<project>_<key>` with every setting at its default. */
export function defaultNetworkSpec(project: string, key: string): NetworkSpec {
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
  };
}

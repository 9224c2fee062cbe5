// Hand-built compose projects for planner and engine tests: every ServiceSpec field at its compose
// default, overridable per test.
import { defaultNetworkSpec, emptySpec } from '../compose/defaults.ts';
import type { ComposeProject, NetworkSpec, ServiceSpec, VolumeSpec } from '../compose/model.ts';
import type { StackTarget } from './commands.ts';

/** A service with compose's defaults, on the default network. */
export function service(name: string, image: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { ...emptySpec(name), image, networks: { default: { aliases: [], ipv4Address: null, ipv6Address: null } }, ...over };
}

/** A project network named `<project>_<key>`. */
export function network(project: string, key: string, over: Partial<NetworkSpec> = {}): NetworkSpec {
  return { ...defaultNetworkSpec(project, key), ...over };
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

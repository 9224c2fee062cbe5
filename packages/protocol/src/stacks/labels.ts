// Labels on what the agent creates for a stack. The com.docker.compose.* ones make compose tooling
// (docker compose ps/logs/down) recognise the project; the dev.capstan.* ones carry what the
// planner needs to say exactly what changed, even from a snapshot.
import type { ComposeProject, ServiceSpec } from '../compose/model.ts';
import { NETWORK_CONFIG_LABEL, networkConfigText } from './network-config.ts';
import { serviceConfigHash, serviceConfigText, serviceConfigView } from './service-config.ts';

/** Compose's own labels (the names docker-compose 1.29 and compose v2 read). */
export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** Capstan's labels. */
export const CAPSTAN_LABEL = {
  /** Compact canonical JSON of the service's config view (see serviceConfigView): the planner diffs against it. */
  serviceConfig: 'dev.capstan.service-config',
  stackId: 'dev.capstan.stack-id',
  /** The stack version whose deploy created the container. */
  stackVersion: 'dev.capstan.stack-version',
  /** On project networks: the settings they were created with (see networkConfigView), so changed ones are detected. */
  networkConfig: NETWORK_CONFIG_LABEL,
} as const;

/** Value of com.docker.compose.version on what Capstan creates (the naming scheme followed is 1.29's). */
export const COMPOSE_VERSION = '1.29.2';

/** Engine-side container name: `container_name` when set, else `<project>_<service>_<n>` (docker-compose 1.29). */
export function containerNameFor(project: string, service: string, containerName: string | null, n: number): string {
  return containerName ?? `${project}_${service}_${n}`;
}

/** Where a stack lives on the agent's host and which stack version a container came from. */
export interface StackOrigin {
  readonly stackId: number;
  readonly versionId: number;
  /** The stack's working directory (relative bind sources resolve against it). */
  readonly workingDir: string;
}

/** Every label of container `number` of `service`: the user's, then compose's and Capstan's (which win). */
export function containerLabels(project: ComposeProject, service: ServiceSpec, number: number, origin: StackOrigin): Record<string, string> {
  const view = serviceConfigView(project, service);
  return {
    ...service.labels,
    [COMPOSE_LABEL.project]: project.name,
    [COMPOSE_LABEL.service]: service.name,
    [COMPOSE_LABEL.containerNumber]: String(number),
    [COMPOSE_LABEL.oneoff]: 'False',
    [COMPOSE_LABEL.configHash]: serviceConfigHash(view),
    [COMPOSE_LABEL.version]: COMPOSE_VERSION,
    [COMPOSE_LABEL.workingDir]: origin.workingDir,
    [COMPOSE_LABEL.configFiles]: `capstan://stacks/${origin.stackId}`,
    [CAPSTAN_LABEL.serviceConfig]: serviceConfigText(view),
    [CAPSTAN_LABEL.stackId]: String(origin.stackId),
    [CAPSTAN_LABEL.stackVersion]: String(origin.versionId),
  };
}

/** What docker-compose 1.29 writes in com.docker.compose.network/volume: the key, or the `name:` given instead of `<project>_<key>`. */
function labelledName(project: string, key: string, name: string | undefined): string {
  return name === undefined || name === `${project}_${key}` ? key : name;
}

/** Labels of a project network (key = its key in the project's networks). */
export function networkLabels(project: ComposeProject, key: string): Record<string, string> {
  const spec = project.networks[key];
  return {
    ...(spec?.labels ?? {}),
    [COMPOSE_LABEL.network]: labelledName(project.name, key, spec?.name),
    [COMPOSE_LABEL.project]: project.name,
    [COMPOSE_LABEL.version]: COMPOSE_VERSION,
    ...(spec ? { [CAPSTAN_LABEL.networkConfig]: networkConfigText(spec) } : {}),
  };
}

/** Labels of a project volume. */
export function volumeLabels(project: ComposeProject, key: string): Record<string, string> {
  return {
    ...(project.volumes[key]?.labels ?? {}),
    [COMPOSE_LABEL.volume]: labelledName(project.name, key, project.volumes[key]?.name),
    [COMPOSE_LABEL.project]: project.name,
    [COMPOSE_LABEL.version]: COMPOSE_VERSION,
  };
}

// One service: every key read into the normalized ServiceSpec, plus what it refers to (services,
// networks, volumes, secrets, configs) with positions, for the project-wide checks in project.ts.
import { emptySpec } from './defaults.ts';
import type { DependencyCondition, ServiceSpec } from './model.ts';
import { readDeploy, type DeployResult } from './normalize-deploy.ts';
import {
  applyResources,
  readCommand,
  readExtraHosts,
  readLabels,
  readOptionalString,
  readPullPolicy,
} from './normalize-service-fields.ts';
import { readServiceEnvironment, type EnvInput } from './normalize-env.ts';
import { readServiceFiles, type FileRef } from './normalize-files.ts';
import {
  checkDuplicateTargets,
  readTmpfs,
  readVolumes,
  type PlacedMount,
  type VolumeRef,
} from './normalize-mounts.ts';
import { readNetworkMode, readServiceNetworks, type NetworkRef } from './normalize-networks.ts';
import { readExpose, readPorts } from './normalize-ports.ts';
import { readHealthcheck, readLogging, readRestart, readSysctls, readUlimits } from './normalize-runtime.ts';
import { readDependsOn, readLinks, readProfiles } from './normalize-relations.ts';
import {
  asBool,
  asInt,
  asMap,
  asString,
  asStringList,
  clip,
  eachKey,
  entry,
  fail,
  sortRecord,
  sub,
  warn,
  type Ctx,
} from './reader.ts';
import { SERVICE_KEYS, SERVICE_RULES } from './service-keys.ts';
import { readBytes, readDuration } from './units.ts';
import type { Pos, YEntry } from './yaml-positions.ts';

export interface DependencyRef {
  name: string;
  condition: DependencyCondition;
  restart: boolean;
  pos: Pos;
  path: string;
  /** Implied (links, network_mode: service:x) rather than written under depends_on. */
  implied: boolean;
}

export interface ServiceRefs {
  pos: Pos;
  path: string;
  dependencies: DependencyRef[];
  networks: NetworkRef[];
  volumes: VolumeRef[];
  secrets: FileRef[];
  configs: FileRef[];
  profiles: string[];
  containerNamePos: Pos | null;
}

// Docker image references: [registry[:port]/]path[:tag][@sha256:digest], path in lower case.
const IMAGE_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** Reads one service; spec is null when the service cannot be built (its errors are in ctx). */
export function readService(
  ctx: Ctx,
  name: string,
  entryNode: YEntry,
  input: EnvInput,
): { spec: ServiceSpec | null; refs: ServiceRefs } {
  const path = sub('services', name);
  const refs: ServiceRefs = {
    pos: entryNode.keyPos,
    path,
    dependencies: [],
    networks: [],
    volumes: [],
    secrets: [],
    configs: [],
    profiles: [],
    containerNamePos: null,
  };
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(name)) {
    fail(
      ctx,
      entryNode.keyPos,
      path,
      `service name "${clip(name, 60)}" may contain only letters, digits, _ . and -, starting with a letter or digit`,
    );
  }
  const map = asMap(ctx, entryNode.value, path, 'a mapping with at least image:');
  if (map === undefined) return { spec: null, refs };
  const errorsBefore = ctx.issues.filter((i) => i.severity === 'error').length;
  const s: ServiceSpec = emptySpec(name);
  let deploy: DeployResult | null = null;
  let scale: number | null = null;
  let networkModeService: { name: string; pos: Pos; path: string } | null = null;
  const legacy: { key: string; pos: Pos }[] = [];
  const mounts: PlacedMount[] = [];
  let restartPos: Pos | null = null;
  eachKey(ctx, map, path, SERVICE_KEYS, SERVICE_RULES, (key, value, e) => {
    const p = sub(path, key);
    switch (key) {
      case 'image': {
        const img = asString(ctx, value, p);
        if (img !== undefined && !IMAGE_RE.test(img))
          fail(
            ctx,
            value.pos,
            p,
            `${p}: "${clip(img)}" is not an image reference: write name[:tag] in lower case, e.g. nginx:1.25 or registry.example.com/team/app:2`,
          );
        else if (img !== undefined) s.image = img;
        break;
      }
      case 'build':
        if (entry(map, 'image') !== undefined)
          warn(
            ctx,
            e.keyPos,
            p,
            `${p} is ignored: Capstan does not build images, it pulls the image: of this service`,
          );
        else
          fail(
            ctx,
            e.keyPos,
            p,
            `${p}: Capstan does not build images: build and push the image to a registry, then set image: instead of build:`,
          );
        break;
      case 'command':
      case 'entrypoint':
        s[key] = readCommand(ctx, value, p);
        break;
      case 'environment':
      case 'env_file':
        break;
      case 'ports':
        s.ports = readPorts(ctx, value, p);
        break;
      case 'expose':
        s.expose = readExpose(ctx, value, p);
        break;
      case 'volumes':
        mounts.push(...readVolumes(ctx, value, p, refs.volumes));
        break;
      case 'tmpfs':
        mounts.push(...readTmpfs(ctx, value, p));
        break;
      case 'networks':
        s.networks = readServiceNetworks(ctx, value, p, refs.networks);
        break;
      case 'network_mode': {
        const m = readNetworkMode(ctx, value, p);
        if (m !== undefined) {
          s.networkMode = m.mode;
          if (m.service !== null) networkModeService = { name: m.service, pos: value.pos, path: p };
        }
        break;
      }
      case 'links':
        refs.dependencies.push(...readLinks(ctx, value, p));
        break;
      case 'depends_on':
        refs.dependencies.push(...readDependsOn(ctx, value, p));
        break;
      case 'healthcheck':
        s.healthcheck = readHealthcheck(ctx, value, p);
        break;
      case 'restart':
        s.restart = readRestart(ctx, value, p) ?? 'no';
        restartPos = value.pos;
        break;
      case 'labels':
        s.labels = readLabels(ctx, value, p);
        break;
      case 'user':
      case 'hostname':
      case 'domainname':
      case 'stop_signal':
        readOptionalString(ctx, s, key, value, p);
        break;
      case 'working_dir': {
        const dir = asString(ctx, value, p);
        if (dir !== undefined && !dir.startsWith('/'))
          fail(ctx, value.pos, p, `${p} must be an absolute path in the container, not "${clip(dir)}"`);
        else if (dir !== undefined) s.workingDir = dir;
        break;
      }
      case 'extra_hosts':
        s.extraHosts = readExtraHosts(ctx, value, p);
        break;
      case 'dns':
        s.dns = asStringList(ctx, value, p, true) ?? [];
        break;
      case 'cap_add':
      case 'cap_drop': {
        const caps = asStringList(ctx, value, p) ?? [];
        const bad = caps.find((c) => !/^[A-Za-z_]+$/.test(c));
        if (bad !== undefined)
          fail(
            ctx,
            value.pos,
            p,
            `${p}: "${clip(bad, 40)}" is not a capability name such as NET_ADMIN or ALL`,
          );
        s[key === 'cap_add' ? 'capAdd' : 'capDrop'] = caps;
        break;
      }
      case 'privileged':
      case 'read_only':
      case 'tty':
      case 'stdin_open': {
        const b = asBool(ctx, value, p) ?? false;
        if (key === 'privileged') s.privileged = b;
        else if (key === 'read_only') s.readOnly = b;
        else if (key === 'tty') s.tty = b;
        else s.stdinOpen = b;
        break;
      }
      case 'init':
        s.init = asBool(ctx, value, p) ?? null;
        break;
      case 'ulimits':
        s.ulimits = readUlimits(ctx, value, p);
        break;
      case 'logging':
        s.logging = readLogging(ctx, value, p);
        break;
      case 'deploy':
        deploy = readDeploy(ctx, value, p);
        break;
      case 'stop_grace_period':
        s.stopGracePeriodMs = readDuration(ctx, value, p) ?? null;
        break;
      case 'shm_size':
        s.shmSizeBytes = readBytes(ctx, value, p) ?? null;
        break;
      case 'sysctls':
        s.sysctls = readSysctls(ctx, value, p);
        break;
      case 'secrets':
        s.secrets = readServiceFiles(ctx, 'secret', value, p, refs.secrets);
        break;
      case 'configs':
        s.configs = readServiceFiles(ctx, 'config', value, p, refs.configs);
        break;
      case 'container_name': {
        const cn = asString(ctx, value, p);
        if (cn !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(cn))
          fail(
            ctx,
            value.pos,
            p,
            `${p}: "${clip(cn)}" may contain only letters, digits, _ . and -, starting with a letter or digit`,
          );
        else if (cn !== undefined) {
          s.containerName = cn;
          refs.containerNamePos = value.pos;
        }
        break;
      }
      case 'scale':
        scale = asInt(ctx, value, p, 0, 100) ?? null;
        break;
      case 'pull_policy':
        readPullPolicy(ctx, s, value, p);
        break;
      case 'profiles':
        refs.profiles = readProfiles(ctx, value, p);
        break;
      case 'mem_limit':
      case 'mem_reservation':
      case 'cpus':
      case 'pids_limit':
        legacy.push({ key, pos: e.keyPos });
        break;
    }
  });
  if (entry(map, 'image') === undefined && entry(map, 'build') === undefined) {
    fail(
      ctx,
      entryNode.keyPos,
      path,
      `service "${clip(name, 60)}" needs image: the image to run, e.g. image: nginx:1.25`,
    );
  }
  s.environment = readServiceEnvironment(
    ctx,
    entry(map, 'env_file')?.value,
    entry(map, 'environment')?.value,
    path,
    input,
  );
  checkDuplicateTargets(ctx, mounts);
  s.mounts = mounts.map((m) => m.mount);
  applyResources(ctx, map, path, s, deploy, legacy);
  const d = deploy as DeployResult | null;
  if (d?.restart != null) {
    if (restartPos !== null && d.restart !== s.restart)
      warn(
        ctx,
        restartPos,
        sub(path, 'restart'),
        `deploy.restart_policy (${d.restart}) is used instead of restart: ${s.restart}: keep only one`,
      );
    s.restart = d.restart;
  }
  if (scale !== null && d?.replicas != null)
    fail(
      ctx,
      entry(map, 'scale')?.keyPos ?? refs.pos,
      sub(path, 'scale'),
      `both scale and deploy.replicas are set: keep only one`,
    );
  s.replicas = Math.min(d?.replicas ?? scale ?? 1, d?.maxPerNode ?? 100);
  if (s.containerName !== null && s.replicas > 1)
    fail(
      ctx,
      refs.containerNamePos,
      sub(path, 'container_name'),
      `${path} runs ${s.replicas} containers, but container_name gives them one name: remove container_name or run one replica`,
    );
  const nm = networkModeService as { name: string; pos: Pos; path: string } | null;
  if (nm !== null)
    refs.dependencies.push({ ...nm, condition: 'service_started', restart: false, implied: true });
  if (s.networkMode !== null && entry(map, 'networks') !== undefined) {
    fail(
      ctx,
      entry(map, 'networks')?.keyPos ?? refs.pos,
      sub(path, 'networks'),
      `${path}: network_mode and networks cannot be combined: keep one`,
    );
  }
  if (s.networkMode === null && entry(map, 'networks') === undefined) {
    s.networks = { default: { aliases: [], ipv4Address: null, ipv6Address: null } };
    refs.networks.push({ name: 'default', pos: refs.pos, path });
  }
  for (const dep of refs.dependencies) {
    const prev = s.dependsOn[dep.name];
    if (prev === undefined || !dep.implied)
      s.dependsOn[dep.name] = { condition: dep.condition, restart: dep.restart };
  }
  s.dependsOn = sortRecord(s.dependsOn);
  const failed = ctx.issues.filter((i) => i.severity === 'error').length > errorsBefore;
  return { spec: failed ? null : s, refs };
}

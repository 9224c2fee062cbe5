// The stack planner: engine state + target → what changes per service and the typed steps that make
// it so, in dependency order. Pure, so the agent plans against the live engine and the server
// against the last snapshot with the same code.
import type { ComposeProject, ServiceSpec } from '../compose/model.ts';
import type { FieldChange, ServicePlan, StackPlan, StackTarget } from './commands.ts';
import { findLocalImage, parseImageReference } from './image-ref.ts';
import { COMPOSE_LABEL, CAPSTAN_LABEL, containerNameFor } from './labels.ts';
import { networkChanges } from './network-config.ts';
import type { ProjectContainer, ProjectState } from './project-state.ts';
import { diffServiceConfig, parseServiceConfig, serviceConfigHash, serviceConfigView } from './service-config.ts';
import type { StackStep } from './steps.ts';

/** How a plan is computed. */
export interface PlanOptions {
  /** What the state is: the live engine, or the last snapshot (host not connected). */
  readonly basis: 'live' | 'snapshot';
  /** ISO-8601 instant recorded on the plan. */
  readonly computedAt: string;
  /**
   * Pull steps: `always` re-pulls every unpinned tag, `missing` pulls images the engine lacks,
   * `never` plans none (the deploy already pulled; services' own pull_policy still applies to the first two).
   */
  readonly pull: 'always' | 'missing' | 'never';
  /** Image reference → manifest digest the registry has now (a pull check); moved tags show as updates. */
  readonly registryDigests?: Readonly<Record<string, string>>;
}

/** A plan and the steps that carry it out. */
export interface PlannedStack {
  readonly plan: StackPlan;
  readonly steps: StackStep[];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The image reference a service's containers are created from: its pin when the target has one. */
export function serviceImageReference(target: Pick<StackTarget, 'imagePins'>, service: ServiceSpec): string {
  return target.imagePins[service.name] ?? service.image;
}

/** Services whose containers `service` needs first: depends_on, and network_mode service:x. */
function dependenciesOf(service: ServiceSpec): string[] {
  const deps = Object.keys(service.dependsOn);
  const m = /^service:(.+)$/.exec(service.networkMode ?? '');
  if (m?.[1]) deps.push(m[1]);
  return [...new Set(deps)].sort(cmp);
}

/** Service names with every dependency before its dependents (ties by name; a cycle is broken where it closes). */
export function serviceOrder(services: ComposeProject['services']): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const spec = services[name];
    if (!spec || state.has(name)) return;
    state.set(name, 'visiting');
    for (const dep of dependenciesOf(spec)) visit(dep);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services).sort(cmp)) visit(name);
  return order;
}

const byNumber = (a: ProjectContainer, b: ProjectContainer): number =>
  (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER) || cmp(a.id, b.id);

/** A service whose container is done once it exited 0 (no restart policy brings it back). */
function runsToCompletion(spec: ServiceSpec): boolean {
  return spec.restart === 'no' || spec.restart.startsWith('on-failure');
}

/** An up-to-date container that should be running but is not (a completed one-shot is left alone). */
function needsStart(c: ProjectContainer, spec: ServiceSpec): boolean {
  if (c.state === 'created') return true;
  if (c.state !== 'exited') return false;
  return !(c.exitCode === 0 && runsToCompletion(spec));
}

/** Pull steps for the images the target's running services use. */
function pullSteps(current: ProjectState, target: Pick<StackTarget, 'project' | 'imagePins'>, options: PlanOptions): StackStep[] {
  if (options.pull === 'never') return [];
  const users = new Map<string, ServiceSpec[]>();
  for (const spec of Object.values(target.project.services)) {
    if (spec.replicas === 0) continue;
    const ref = serviceImageReference(target, spec);
    users.set(ref, [...(users.get(ref) ?? []), spec]);
  }
  const steps: StackStep[] = [];
  for (const [reference, specs] of [...users.entries()].sort(([a], [b]) => cmp(a, b))) {
    if (specs.every((s) => s.pullPolicy === 'never')) continue;
    const present = findLocalImage(current.images, reference) !== null;
    // A pin (repo@sha256:…, or an image id for images that never came from a registry) never moves.
    const pinned = parseImageReference(reference).digest !== null || /^sha256:[0-9a-f]{64}$/.test(reference);
    const wantsFresh = !pinned && (options.pull === 'always' || specs.some((s) => s.pullPolicy === 'always'));
    if (!present || wantsFresh) steps.push({ kind: 'pull-image', reference, services: specs.map((s) => s.name).sort(cmp) });
  }
  return steps;
}

/** Lowest container numbers not in `used`, `count` of them. */
function freeNumbers(used: ReadonlySet<number>, count: number): number[] {
  const out: number[] = [];
  for (let n = 1; out.length < count; n++) if (!used.has(n)) out.push(n);
  return out;
}

interface ServiceOutcome {
  readonly plan: ServicePlan;
  readonly steps: StackStep[];
}

/** Plan and steps for one target service. */
function planService(project: ComposeProject, target: Pick<StackTarget, 'imagePins'>, spec: ServiceSpec, existing: ProjectContainer[], current: ProjectState, options: PlanOptions): ServiceOutcome {
  const view = serviceConfigView(project, spec);
  const hash = serviceConfigHash(view);
  const reference = serviceImageReference(target, spec);
  const local = findLocalImage(current.images, reference);
  const registryDigest = options.registryDigests?.[reference];
  const registryMoved = registryDigest !== undefined && local !== null && !local.repoDigests.some((d) => d.endsWith(`@${registryDigest}`));
  const targetImage = registryMoved ? `${parseImageReference(reference).familiar}@${registryDigest}` : (local?.id ?? null);

  const sorted = [...existing].sort(byNumber);
  const keep = sorted.slice(0, spec.replicas);
  const drop = sorted.slice(spec.replicas).reverse();
  const imageDiffers = (c: ProjectContainer): boolean => registryMoved || local === null || c.imageId !== local.id;
  const configDiffers = (c: ProjectContainer): boolean => c.labels[COMPOSE_LABEL.configHash] !== hash;
  const outdated = (c: ProjectContainer): boolean => configDiffers(c) || imageDiffers(c) || c.state === 'dead' || c.state === 'removing';
  const recreate = keep.filter(outdated);
  const starts = keep.filter((c) => !outdated(c) && needsStart(c, spec));
  const used = new Set(keep.flatMap((c) => (c.number !== null ? [c.number] : [])));
  const fresh = freeNumbers(used, spec.replicas - keep.length);
  const renumber = freeNumbers(new Set([...used, ...fresh]), recreate.filter((c) => c.number === null).length);

  const changes: FieldChange[] = [];
  const first = recreate[0];
  if (first) {
    if (configDiffers(first)) {
      const fields = diffServiceConfig(parseServiceConfig(first.labels[CAPSTAN_LABEL.serviceConfig]), view);
      changes.push(...(fields.length > 0 ? fields : [{ field: 'config', from: first.labels[COMPOSE_LABEL.configHash] ?? null, to: hash }]));
    }
    if (imageDiffers(first)) changes.push({ field: 'image', from: first.imageId || null, to: targetImage });
    if (first.state === 'dead' || first.state === 'removing') changes.push({ field: 'state', from: first.state, to: 'running' });
  } else if (starts[0]) {
    changes.push({ field: 'state', from: starts[0].state, to: 'running' });
  }

  const action: ServicePlan['action'] =
    existing.length === 0 ? (spec.replicas > 0 ? 'create' : 'unchanged') : recreate.length > 0 ? 'recreate' : drop.length > 0 || fresh.length > 0 ? 'scale' : 'unchanged';

  const steps: StackStep[] = [];
  const service = spec.name;
  if (recreate.length + starts.length + fresh.length > 0) {
    for (const dependency of Object.keys(spec.dependsOn).sort(cmp)) {
      const dep = project.services[dependency];
      if (dep && dep.replicas > 0) steps.push({ kind: 'wait-dependency', service, dependency, condition: spec.dependsOn[dependency]!.condition });
    }
  }
  for (const c of drop) {
    if (c.state !== 'exited' && c.state !== 'created' && c.state !== 'dead') steps.push({ kind: 'stop-container', service, containerId: c.id, name: c.name, reason: 'scale-down' });
    steps.push({ kind: 'remove-container', service, containerId: c.id, name: c.name, reason: 'scale-down' });
  }
  const create = (n: number, replaces?: string): void => {
    const name = containerNameFor(project.name, service, spec.containerName, n);
    // A recreation names the container it replaces: its anonymous volumes are mounted again (docker-compose keeps them too).
    steps.push({ kind: 'create-container', service, number: n, name, image: reference, configHash: hash, ...(replaces !== undefined ? { replaces } : {}) });
    steps.push({ kind: 'start-container', service, name });
  };
  let renumbered = 0;
  for (const c of recreate) {
    if (c.state !== 'exited' && c.state !== 'created' && c.state !== 'dead') steps.push({ kind: 'stop-container', service, containerId: c.id, name: c.name, reason: 'recreate' });
    steps.push({ kind: 'remove-container', service, containerId: c.id, name: c.name, reason: 'recreate' });
    create(c.number ?? renumber[renumbered++]!, c.id);
  }
  for (const c of starts) steps.push({ kind: 'start-container', service, name: c.name });
  for (const n of fresh) create(n);

  const updated = registryMoved || (local !== null && keep.some((c) => !configDiffers(c) && c.imageId !== local.id));
  return {
    plan: {
      service,
      action,
      changes,
      image: { reference, current: sorted[0]?.imageId || null, target: targetImage, updated },
      containers: { current: existing.length, target: spec.replicas },
    },
    steps,
  };
}

/**
 * Plans reconciling `current` to `target`: per service create / recreate (with the fields that
 * changed) / scale / remove (orphans) / unchanged, networks and volumes, and the steps in order:
 * pulls, orphan removal, network and volume creation, then each service in dependency order
 * (waits for its dependencies, scale-down, recreations, starts, new containers), and last the
 * project networks the target no longer has. A target the engine already matches plans no step.
 * An existing network whose settings changed is planned as `recreate` with the changes and no
 * step (see networkRecreationRefusal).
 */
export function planStack(current: ProjectState, target: Pick<StackTarget, 'project' | 'imagePins'>, options: PlanOptions): PlannedStack {
  const project = target.project;
  const steps: StackStep[] = pullSteps(current, target, options);
  const services: ServicePlan[] = [];

  const byService = new Map<string, ProjectContainer[]>();
  for (const c of current.containers) {
    if (c.oneoff || c.service === null) continue;
    byService.set(c.service, [...(byService.get(c.service) ?? []), c]);
  }

  for (const [service, containers] of [...byService.entries()].sort(([a], [b]) => cmp(a, b))) {
    if (project.services[service]) continue;
    const sorted = [...containers].sort(byNumber).reverse();
    for (const c of sorted) {
      if (c.state !== 'exited' && c.state !== 'created' && c.state !== 'dead') steps.push({ kind: 'stop-container', service, containerId: c.id, name: c.name, reason: 'orphan' });
      steps.push({ kind: 'remove-container', service, containerId: c.id, name: c.name, reason: 'orphan' });
    }
    services.push({
      service,
      action: 'remove',
      changes: [],
      image: { reference: sorted[0]?.image ?? '', current: sorted[0]?.imageId || null, target: null, updated: false },
      containers: { current: containers.length, target: 0 },
    });
  }

  const networks: StackPlan['networks'] = [];
  const networksByName = new Map(current.networks.map((n) => [n.name, n]));
  for (const key of Object.keys(project.networks).sort(cmp)) {
    const net = project.networks[key]!;
    if (net.external) continue;
    const existing = networksByName.get(net.name);
    if (!existing) {
      networks.push({ name: net.name, action: 'create' });
      steps.push({ kind: 'create-network', key, name: net.name });
      continue;
    }
    // A changed network gets no step: the deploy refuses the plan before any step runs.
    const changes = networkChanges(existing, net);
    networks.push(changes.length > 0 ? { name: net.name, action: 'recreate', changes } : { name: net.name, action: 'unchanged' });
  }
  const volumes: StackPlan['volumes'] = [];
  const volumeNames = new Set(current.volumes.map((v) => v.name));
  for (const key of Object.keys(project.volumes).sort(cmp)) {
    const vol = project.volumes[key]!;
    if (vol.external) continue;
    const exists = volumeNames.has(vol.name);
    volumes.push({ name: vol.name, action: exists ? 'unchanged' : 'create' });
    if (!exists) steps.push({ kind: 'create-volume', key, name: vol.name });
  }

  for (const name of serviceOrder(project.services)) {
    const outcome = planService(project, target, project.services[name]!, byService.get(name) ?? [], current, options);
    services.push(outcome.plan);
    steps.push(...outcome.steps);
  }

  // Networks this project created (by label) whose key the target dropped: removed once the containers are gone.
  const targetNames = new Set(Object.values(project.networks).map((n) => n.name));
  for (const n of [...current.networks].sort((a, b) => cmp(a.name, b.name))) {
    if (n.labels[COMPOSE_LABEL.project] !== project.name || targetNames.has(n.name)) continue;
    networks.push({ name: n.name, action: 'remove' });
    steps.push({ kind: 'remove-network', name: n.name });
  }

  services.sort((a, b) => cmp(a.service, b.service));
  return {
    plan: { services, networks, volumes, basis: options.basis, computedAt: options.computedAt, noop: steps.length === 0 && !networks.some((n) => n.action === 'recreate') },
    steps,
  };
}

/**
 * Why a plan cannot be deployed as it is: the networks that would need to be recreated and the
 * settings that changed (docker-compose 1.29 refuses the same), or null when there are none.
 */
export function networkRecreationRefusal(plan: Pick<StackPlan, 'networks'>): string | null {
  const changed = plan.networks.filter((n) => n.action === 'recreate');
  if (changed.length === 0) return null;
  const what = changed.map((n) => `network ${n.name} needs to be recreated - ${(n.changes ?? []).map((c) => `option "${c.field}" has changed`).join(', ') || 'its settings have changed'}`);
  return `${what.join('; ')}. The engine cannot change an existing network: remove the stack (or the network) first, then deploy again. Nothing was changed.`;
}

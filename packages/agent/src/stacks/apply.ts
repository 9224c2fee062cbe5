// Carries out a plan's steps against the engine, in order, reporting each as a progress event. The
// first step that fails stops the run with a StepError naming the service and what went wrong.
import { homedir } from 'node:os';
import { COMPOSE_LABEL, describeStep, networkLabels, volumeLabels, type CommandProgressEvent, type DependencyCondition, type RegistryAuth, type StackStep, type StackTarget } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { carriedVolumes, containerCreate, networkCreate, volumeCreate, volumeMountsOf, type VolumeMount } from './container-spec.ts';
import { expectCall, json, labelFilter, query, seg } from './engine-client.ts';
import { pullImage } from './pull.ts';
import type { FileMounts } from './stack-files.ts';

/** A step that failed: which service (if any) and why. */
export class StepError extends Error {
  readonly service: string | null;
  constructor(service: string | null, message: string) {
    super(message);
    this.name = 'StepError';
    this.service = service;
  }
}

/** What applying a plan needs. */
export interface ApplyContext {
  readonly engine: EngineConnector;
  readonly target: StackTarget;
  readonly workingDir: string;
  readonly files: FileMounts;
  /** What `~` in bind sources stands for (default: the agent's home directory). */
  readonly homeDir?: string;
  readonly registryAuth: readonly RegistryAuth[];
  readonly progress: (event: CommandProgressEvent) => void;
  /** Longest wait for a dependency's condition (default 5 min). */
  readonly dependencyTimeoutMs?: number;
  /** Poll interval while waiting (default 250 ms). */
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A container's state as inspect reports it. */
export interface InspectedState {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly exitCode: number;
  readonly health: string | null;
  readonly restartCount: number;
  readonly lastHealthOutput: string | null;
  /** Longest a healthcheck takes to give its first verdict (start period + retries × (interval + timeout)); null: none. */
  readonly healthVerdictMs: number | null;
}

/** Inspects containers of `service` of the project (one-offs excluded). */
export async function serviceContainers(engine: EngineConnector, project: string, service: string): Promise<InspectedState[]> {
  const filters = labelFilter({ [COMPOSE_LABEL.project]: project, [COMPOSE_LABEL.service]: service, [COMPOSE_LABEL.oneoff]: 'False' });
  const listed = await expectCall(engine, `cannot list the containers of ${service}`, [200], 'GET', `/containers/json${query({ all: 1, filters })}`);
  const ids = (JSON.parse(listed.body.toString('utf8')) as Array<{ Id?: unknown }>).map((c) => c.Id).filter((id): id is string => typeof id === 'string');
  const out: InspectedState[] = [];
  for (const id of ids.sort()) {
    const answer = await expectCall(engine, `cannot inspect ${id}`, [200, 404], 'GET', `/containers/${seg(id)}/json`);
    if (answer.status === 404) continue; // removed between the list and the inspect
    out.push(inspectedState(json(answer)));
  }
  return out;
}

/** The fields of GET /containers/{id}/json the waits and the health gate read. */
export function inspectedState(c: Record<string, unknown>): InspectedState {
  const state = (c.State ?? {}) as { Status?: unknown; ExitCode?: unknown; Health?: { Status?: unknown; Log?: Array<{ Output?: unknown }> } };
  const log = state.Health?.Log ?? [];
  const last = log[log.length - 1]?.Output;
  return {
    id: typeof c.Id === 'string' ? c.Id : '',
    name: typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : '',
    status: typeof state.Status === 'string' ? state.Status : '',
    exitCode: typeof state.ExitCode === 'number' ? state.ExitCode : 0,
    health: typeof state.Health?.Status === 'string' && state.Health.Status !== 'none' ? state.Health.Status : null,
    restartCount: typeof c.RestartCount === 'number' ? c.RestartCount : 0,
    lastHealthOutput: typeof last === 'string' ? last.trim().slice(0, 512) : null,
    healthVerdictMs: healthVerdictMs(c),
  };
}

/** Docker's healthcheck defaults (ns) where the container's config leaves a field at 0. */
const HEALTH_DEFAULTS = { Interval: 30e9, Timeout: 30e9, Retries: 3, StartPeriod: 0 };

function healthVerdictMs(c: Record<string, unknown>): number | null {
  const hc = ((c.Config ?? {}) as { Healthcheck?: Record<string, unknown> }).Healthcheck;
  const test = hc?.Test;
  if (!hc || !Array.isArray(test) || test.length === 0 || test[0] === 'NONE') return null;
  const num = (k: keyof typeof HEALTH_DEFAULTS): number => {
    const v = hc[k];
    return typeof v === 'number' && v > 0 ? v : HEALTH_DEFAULTS[k];
  };
  return Math.ceil((num('StartPeriod') + (num('Retries') + 1) * (num('Interval') + num('Timeout'))) / 1e6);
}

/** Whether a dependency's containers meet `condition`: true, false (not yet), or a failure message. */
export function conditionMet(condition: DependencyCondition, containers: readonly InspectedState[]): boolean | string {
  if (containers.length === 0) return false;
  for (const c of containers) {
    switch (condition) {
      case 'service_started':
        if (c.status !== 'running' && c.status !== 'exited') return false;
        break;
      case 'service_healthy':
        if (c.health === null) return `${c.name} has no healthcheck, so it can never be service_healthy`;
        if (c.health === 'unhealthy') return `${c.name} is unhealthy${c.lastHealthOutput ? `: ${c.lastHealthOutput}` : ''}`;
        if (c.status === 'exited' || c.status === 'dead') return `${c.name} exited with code ${c.exitCode}`;
        if (c.health !== 'healthy') return false;
        break;
      case 'service_completed_successfully':
        if (c.status === 'exited' || c.status === 'dead') {
          if (c.exitCode !== 0) return `${c.name} exited with code ${c.exitCode}`;
        } else return false;
        break;
    }
  }
  return true;
}

async function waitDependency(ctx: ApplyContext, step: Extract<StackStep, { kind: 'wait-dependency' }>): Promise<void> {
  const deadline = Date.now() + (ctx.dependencyTimeoutMs ?? 300_000);
  for (;;) {
    const met = conditionMet(step.condition, await serviceContainers(ctx.engine, ctx.target.project.name, step.dependency));
    if (met === true) return;
    if (typeof met === 'string') throw new StepError(step.dependency, `${step.service} depends on ${step.dependency} (${step.condition}): ${met}`);
    if (Date.now() > deadline) throw new StepError(step.dependency, `${step.service} depends on ${step.dependency} (${step.condition}), which it did not reach in time`);
    await sleep(ctx.pollMs ?? 250);
  }
}

function stopTimeoutSeconds(ctx: ApplyContext, service: string): number | undefined {
  const ms = ctx.target.project.services[service]?.stopGracePeriodMs;
  return ms === null || ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/** VOLUME paths of image `reference` (none when the engine does not have it). */
async function imageVolumes(engine: EngineConnector, reference: string): Promise<string[]> {
  const answer = await expectCall(engine, `cannot inspect image ${reference}`, [200, 404], 'GET', `/images/${seg(reference)}/json`);
  const config = (json(answer).Config ?? {}) as { Volumes?: unknown };
  return typeof config.Volumes === 'object' && config.Volumes !== null ? Object.keys(config.Volumes).sort() : [];
}

/** Volume mounts of the containers a run removed for recreation, by container id, for their successors. */
type Replaced = Map<string, VolumeMount[]>;

async function runStep(ctx: ApplyContext, step: StackStep, replaced: Replaced): Promise<void> {
  const { engine, target } = ctx;
  const project = target.project;
  switch (step.kind) {
    case 'pull-image':
      await pullImage(engine, step.reference, ctx.registryAuth, ctx.progress);
      return;
    case 'create-network':
      // 409: it exists already (another deploy made it meanwhile): what the step wanted.
      await expectCall(engine, `cannot create network ${step.name}`, [201, 409], 'POST', '/networks/create', networkCreate(project, step.key, networkLabels(project, step.key)));
      return;
    case 'create-volume':
      await expectCall(engine, `cannot create volume ${step.name}`, [201], 'POST', '/volumes/create', volumeCreate(project, step.key, volumeLabels(project, step.key)));
      return;
    case 'stop-container':
      await expectCall(engine, `cannot stop ${step.name}`, [204, 304, 404], 'POST', `/containers/${seg(step.containerId)}/stop${query({ t: stopTimeoutSeconds(ctx, step.service) })}`);
      return;
    case 'remove-container': {
      if (step.reason === 'recreate') {
        const inspected = await expectCall(engine, `cannot inspect ${step.name}`, [200, 404], 'GET', `/containers/${seg(step.containerId)}/json`);
        if (inspected.status === 200) replaced.set(step.containerId, volumeMountsOf(json(inspected)));
      }
      // Without v=1: volumes outlive the container (a recreation mounts its anonymous ones again; docker-compose removes them only on `down -v`).
      await expectCall(engine, `cannot remove ${step.name}`, [204, 404], 'DELETE', `/containers/${seg(step.containerId)}${query({ force: true })}`);
      return;
    }
    case 'create-container': {
      const service = project.services[step.service];
      if (!service) throw new Error(`the target has no service ${step.service}`);
      const previous = step.replaces !== undefined ? (replaced.get(step.replaces) ?? []) : [];
      const carried = previous.length > 0 ? carriedVolumes(previous, project, service, await imageVolumes(engine, step.image)) : {};
      const create = containerCreate({
        project,
        service,
        number: step.number,
        image: step.image,
        origin: { stackId: target.stackId, versionId: target.versionId, workingDir: ctx.workingDir },
        files: ctx.files,
        homeDir: ctx.homeDir ?? homedir(),
        carried,
      });
      await expectCall(engine, `cannot create ${create.name}`, [201], 'POST', `/containers/create${query({ name: create.name })}`, create.body);
      for (const extra of create.extraNetworks) {
        await expectCall(engine, `cannot connect ${create.name} to ${extra.network}`, [200], 'POST', `/networks/${seg(extra.network)}/connect`, { Container: create.name, EndpointConfig: extra.endpoint });
      }
      return;
    }
    case 'start-container':
      await expectCall(engine, `cannot start ${step.name}`, [204, 304], 'POST', `/containers/${seg(step.name)}/start`);
      return;
    case 'wait-dependency':
      await waitDependency(ctx, step);
      return;
    case 'remove-network':
      // A network something else still uses stays; the deploy is not failed for it.
      await expectCall(engine, `cannot remove network ${step.name}`, [204, 404, 403, 409, 500], 'DELETE', `/networks/${seg(step.name)}`);
      return;
  }
}

/** The service a step belongs to, for failure reports. */
function stepService(step: StackStep): string | null {
  if ('service' in step) return step.service;
  if (step.kind === 'pull-image') return step.services[0] ?? null;
  return null;
}

/** Runs `steps` in order; throws StepError at the first failure. */
export async function applySteps(ctx: ApplyContext, steps: readonly StackStep[]): Promise<void> {
  const replaced: Replaced = new Map();
  for (const step of steps) {
    const name = describeStep(step).slice(0, 256);
    ctx.progress({ type: 'step', step: name, status: 'started' });
    try {
      await runStep(ctx, step, replaced);
    } catch (err) {
      const message = (err as Error).message.slice(0, 1024);
      ctx.progress({ type: 'step', step: name, status: 'failed', detail: message });
      throw err instanceof StepError ? err : new StepError(stepService(step), message);
    }
    ctx.progress({ type: 'step', step: name, status: 'done' });
  }
}

// Keeps the stacks' last accepted targets in force while the server cannot: periodically, and soon
// after a compose container is destroyed, each stored target is planned against the live engine and
// only what is missing is made again (containers of a service, networks, volumes). A container that
// is merely stopped stays stopped (its restart policy decides; a deliberate stop stands) and nothing
// is ever removed: recreations, scale-downs and orphans wait for the next deploy.
import { COMPOSE_LABEL, describeStep, planStack, type AgentMode, type ServerAppFrame, type StackStep } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import type { Logger } from '../log/logger.ts';
import { EngineEvents } from '../state/events.ts';
import type { AgentLink, SessionApp } from '../tunnel/session.ts';
import { applySteps } from './apply.ts';
import { liveProjectState } from './live-state.ts';
import { loadAllLastTargets, prepareStackFiles, stackPaths, type LastTarget } from './stack-files.ts';

/** What the enforcer needs. */
export interface StackEnforcerDeps {
  readonly engine: EngineConnector;
  readonly stateDir: string;
  readonly log: Logger;
  /** Whether a command is queued or running (the runner's busy()): the enforcer waits for it. */
  readonly isBusy: () => boolean;
  /** Between two passes (default 60 s). */
  readonly intervalMs?: number;
  /** From a compose container's destroy event to the pass it triggers (default 2 s: a deploy's removal and recreation settle first). */
  readonly eventDelayMs?: number;
  /** How soon to look again when a command was running (default 2 s). */
  readonly busyRetryMs?: number;
  /** Extra gate (e.g. the transport's view); the enforcer also pauses itself while a standard-mode tunnel is connected. */
  readonly isActive?: () => boolean;
  readonly now?: () => Date;
  /** What `~` in bind sources stands for (default: the agent's home directory). */
  readonly homeDir?: string;
}

/** What one pass did for one stack. */
export interface EnforcementReport {
  readonly project: string;
  /** Steps carried out (describeStep), in order. */
  readonly applied: string[];
  /** Why the pass stopped early for this stack (a step failed, or a command arrived). */
  readonly stopped?: string;
}

/** The running enforcer; also a SessionApp so the tunnel's session tells it when the server is in charge. */
export interface StackEnforcer extends SessionApp {
  start(): void;
  stop(): Promise<void>;
  /** Runs one pass now (waiting for one in progress first); the reports of the stacks it touched. */
  enforceNow(): Promise<EnforcementReport[]>;
}

/**
 * The steps of a plan that only make again what is missing: networks and volumes to create, new
 * containers (never a recreation: that removes one) and the start of exactly those new containers.
 * Pulls, stops, removals, starts of existing containers and dependency waits are left out.
 */
export function enforcementSteps(steps: readonly StackStep[]): StackStep[] {
  const created = new Set<string>();
  const out: StackStep[] = [];
  for (const step of steps) {
    if (step.kind === 'create-network' || step.kind === 'create-volume') out.push(step);
    else if (step.kind === 'create-container' && step.replaces === undefined) {
      created.add(step.name);
      out.push(step);
    } else if (step.kind === 'start-container' && created.has(step.name)) out.push(step);
  }
  return out;
}

/** Only compose containers' destroy events: the moment something of a stack may have gone missing. */
const DESTROY_EVENTS_PATH = `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container'], event: ['destroy'], label: [COMPOSE_LABEL.project] }))}`;

class Enforcer implements StackEnforcer {
  readonly capabilities: readonly string[] = [];
  readonly #d: StackEnforcerDeps;
  readonly #events: EngineEvents;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #interval: NodeJS.Timeout | null = null;
  #pass: Promise<EnforcementReport[]> | null = null;
  #started = false;
  /** A standard-mode tunnel is up: the server drives deploys, so the enforcer rests. */
  #tunnelUp = false;
  #mode: AgentMode | null = null;

  constructor(deps: StackEnforcerDeps) {
    this.#d = deps;
    this.#events = new EngineEvents({
      engine: deps.engine,
      log: deps.log,
      path: DESTROY_EVENTS_PATH,
      listener: {
        // (Re)opened: destroys may have been missed meanwhile.
        opened: () => this.#schedule(deps.eventDelayMs ?? 2000),
        event: () => this.#schedule(deps.eventDelayMs ?? 2000),
      },
    });
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#events.start();
    this.#interval = setInterval(() => this.#schedule(0), this.#d.intervalMs ?? 60_000);
    this.#interval.unref();
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#events.stop();
    if (this.#interval) clearInterval(this.#interval);
    this.#clearTimer();
    this.#interval = null;
    await this.#pass?.catch(() => undefined);
  }

  connected(_link: AgentLink): void {
    this.#tunnelUp = true;
  }

  disconnected(): void {
    this.#tunnelUp = false;
    this.#schedule(this.#d.eventDelayMs ?? 2000);
  }

  frame(frame: ServerAppFrame): void {
    if (frame.type === 'agent-mode') this.#mode = frame.mode;
  }

  async enforceNow(): Promise<EnforcementReport[]> {
    while (this.#pass) await this.#pass.catch(() => undefined);
    const pass = this.#run().finally(() => {
      this.#pass = null;
    });
    this.#pass = pass;
    return pass;
  }

  #active(): boolean {
    if (this.#d.isActive && !this.#d.isActive()) return false;
    return !this.#tunnelUp || this.#mode === 'async';
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** Arms one pass `ms` from now, unless one is armed sooner. */
  #schedule(ms: number): void {
    if (!this.#started) return;
    const at = Date.now() + ms;
    if (this.#timer && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#clearTimer();
      this.#tick();
    }, ms);
    this.#timer.unref();
  }

  #tick(): void {
    if (!this.#started || !this.#active()) return;
    if (this.#pass || this.#d.isBusy()) {
      this.#schedule(this.#d.busyRetryMs ?? 2000);
      return;
    }
    this.enforceNow().catch((err: unknown) => this.#d.log.warn('stack enforcement failed', { error: (err as Error).message }));
  }

  async #run(): Promise<EnforcementReport[]> {
    const reports: EnforcementReport[] = [];
    for (const record of loadAllLastTargets(this.#d.stateDir)) {
      if (this.#d.isBusy()) break; // a command came: the next pass goes on
      const report = await this.#enforce(record);
      if (report) reports.push(report);
    }
    return reports;
  }

  /** One stack: plan, keep what re-creates the missing, apply step by step while no command runs. */
  async #enforce(record: LastTarget): Promise<EnforcementReport | null> {
    const { engine, log } = this.#d;
    const target = record.target;
    const project = target.project.name;
    const now = (this.#d.now ?? (() => new Date()))();
    let steps: StackStep[];
    try {
      const state = await liveProjectState(engine, project);
      steps = enforcementSteps(planStack(state, target, { basis: 'live', computedAt: now.toISOString(), pull: 'never' }).steps);
    } catch (err) {
      log.warn('stack enforcement could not plan', { project, error: (err as Error).message });
      return { project, applied: [], stopped: (err as Error).message };
    }
    if (steps.length === 0) return null;
    const paths = stackPaths(this.#d.stateDir, project);
    const applied: string[] = [];
    try {
      const ctx = {
        engine,
        target,
        workingDir: paths.workingDir,
        files: prepareStackFiles(paths, target.project),
        registryAuth: [],
        progress: () => undefined,
        ...(this.#d.homeDir !== undefined ? { homeDir: this.#d.homeDir } : {}),
      };
      for (const step of steps) {
        if (this.#d.isBusy()) return this.#report(project, applied, 'a command arrived');
        await applySteps(ctx, [step]);
        applied.push(describeStep(step));
        log.info('stack enforcement: made again what was missing', { project, step: describeStep(step), versionId: target.versionId });
      }
    } catch (err) {
      return this.#report(project, applied, (err as Error).message);
    }
    return { project, applied };
  }

  #report(project: string, applied: string[], stopped: string): EnforcementReport {
    this.#d.log.warn('stack enforcement stopped', { project, applied: applied.length, why: stopped });
    return { project, applied, stopped };
  }
}

/** Builds the enforcer (idle until start()). */
export function createStackEnforcer(deps: StackEnforcerDeps): StackEnforcer {
  return new Enforcer(deps);
}

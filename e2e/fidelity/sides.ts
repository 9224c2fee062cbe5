// The two ways a compose file reaches an engine in the fidelity test and the stacks bench: Debian's
// docker-compose 1.29 (a child process with DOCKER_HOST on the engine's socket) and Capstan (the
// compose reader, then the agent's stack.deploy executor in process).
import { execFile } from 'node:child_process';
import { parseCompose, type StackDeployResult, type StackTarget } from '@capstan/protocol';
import { executeStackCommand } from '../../packages/agent/src/stacks/stack-commands.ts';
import type { StackRuntime } from '../../packages/agent/src/stacks/deploy.ts';
import { str, type Inspected, type Obj } from './view.ts';

/** What a docker-compose run printed and how it ended. */
export interface ComposeRun {
  readonly code: number;
  readonly output: string;
}

/** Whether a failed `up` failed only at starting containers of `services` (every error names one of them). */
export function onlyStartFailures(run: ComposeRun, project: string, services: readonly string[]): boolean {
  const errors = run.output.split('\n').filter((l) => l.startsWith('ERROR'));
  if (errors.length === 0) return false;
  return errors.every((l) => {
    const m = /^ERROR: for (\S+)\s+Cannot start service (\S+?):/.exec(l);
    return m !== null && services.includes(m[2] ?? '') && (m[1] === m[2] || new RegExp(`^${project}_${m[2]}_\\d+$`).test(m[1] ?? ''));
  });
}

/** Runs `docker-compose <args>` in `cwd` against the engine at `socket`, with only PATH and HOME from outside. */
export function dockerCompose(socket: string, cwd: string, home: string, args: string[], timeoutMs = 120_000): Promise<ComposeRun> {
  // A bare environment: compose interpolates from its process environment, Capstan from the stack's variables (none here).
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_HOST: `unix://${socket}`, COMPOSE_HTTP_TIMEOUT: '120' };
  return new Promise((resolve) => {
    execFile('docker-compose', args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Runs the docker CLI against the engine at `socket`; resolves stdout, rejects with stderr. */
export function docker(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', `unix://${socket}`, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

async function inspectAll(socket: string, kind: 'container' | 'network' | 'volume', project: string): Promise<Obj[]> {
  const filter = `label=com.docker.compose.project=${project}`;
  const list = kind === 'container' ? ['ps', '-aq', '--no-trunc', '--filter', filter] : [kind, 'ls', '-q', '--filter', filter];
  const ids = (await docker(socket, list)).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  return JSON.parse(await docker(socket, [kind, 'inspect', ...ids])) as Obj[];
}

/**
 * `docker inspect` of everything labelled as project `project`, plus what each running container
 * sees mounted (/proc/self/mounts), when `withProcMounts`.
 */
export async function inspectProject(socket: string, project: string, withProcMounts = false): Promise<Inspected> {
  const [containers, networks, volumes] = await Promise.all([inspectAll(socket, 'container', project), inspectAll(socket, 'network', project), inspectAll(socket, 'volume', project)]);
  const procMounts: Record<string, string> = {};
  if (withProcMounts) {
    for (const c of containers) {
      const state = c.State as { Running?: boolean; Restarting?: boolean } | undefined;
      const id = str(c.Id);
      if (!state?.Running || state.Restarting) continue;
      // A container that stops meanwhile simply has no entry.
      const text = await docker(socket, ['exec', id, 'cat', '/proc/self/mounts']).catch(() => null);
      if (text !== null) procMounts[id] = text;
    }
  }
  return { containers, networks, volumes, procMounts };
}

/** The stack target Capstan deploys for a compose file and its companion files (throws on reader errors). */
export function capstanTarget(files: Record<string, string>, project: string, stackId: number, versionId = 1): StackTarget {
  const { project: parsed, issues } = parseCompose({ files, mainFile: 'compose.yml', projectName: project, variables: {} });
  if (!parsed) throw new Error(`the compose reader refused the file:\n${issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`).join('\n')}`);
  return { stackId, versionId, project: parsed, imagePins: {} };
}

/**
 * Capstan's stack.deploy of `target` (no health window: what gets created is the point); throws
 * unless it deployed, or failed only because one of `mayFailToStart`'s containers did not start.
 */
export async function capstanDeploy(rt: StackRuntime, target: StackTarget, previous: StackTarget | null = null, mayFailToStart: readonly string[] = []): Promise<StackDeployResult> {
  const outcome = await executeStackCommand(rt, {
    kind: 'stack.deploy',
    payload: { target, previous, pull: 'missing', registryAuth: [], health: { windowMs: 0, onFailure: 'report' } },
  });
  const result = outcome.output as StackDeployResult | undefined;
  if (outcome.status === 'succeeded' && result) return result;
  const failure = result?.failure;
  if (result && failure?.service && mayFailToStart.includes(failure.service) && /cannot start/.test(failure.reason)) return result;
  throw new Error(`Capstan's deploy of ${target.project.name} failed: ${JSON.stringify(outcome.error ?? failure)}`);
}

/** Capstan's stack.remove of `project`, volumes included. */
export async function capstanRemove(rt: StackRuntime, project: string): Promise<void> {
  const outcome = await executeStackCommand(rt, { kind: 'stack.remove', payload: { projectName: project, removeVolumes: true } });
  if (outcome.status !== 'succeeded') throw new Error(`Capstan's remove of ${project} failed: ${JSON.stringify(outcome.error)}`);
}

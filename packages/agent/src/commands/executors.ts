// What each command kind does to the engine (Docker Engine API through the EngineConnector).
import type { CommandFrame, CommandSpec } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { parseCommand, type ExecutionOutcome } from './decide.ts';
import { engineCall, engineMessage, engineRequest, readBody } from './engine-api.ts';
import { engineFailure, NO_HOOKS, runExec, type ExecutorHooks } from './exec.ts';
import { PullProgress, splitImageReference } from './image-ref.ts';
import { credentialsFor, pullError, registryAuthHeader } from './registry-auth.ts';
import { isConnectionError, pullFailureRetryable } from './retry.ts';

type Spec<K extends CommandSpec['kind']> = Extract<CommandSpec, { kind: K }>;

const ref = (id: string) => encodeURIComponent(id);

/** A container state change; 304 (already in that state) counts as done, unchanged. */
export async function containerCall(engine: EngineConnector, method: string, path: string, containerId: string, what: string): Promise<ExecutionOutcome> {
  const answer = await engineCall(engine, method, path);
  if (answer.status === 204 || answer.status === 200) return { status: 'succeeded', output: { containerId, changed: true } };
  if (answer.status === 304) return { status: 'succeeded', output: { containerId, changed: false } };
  return engineFailure(answer, `${what} ${containerId}`);
}

/** `?a=1&b=2` from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** POST /images/create, reading the progress stream to its end; an `error` line fails the pull. */
async function pull(engine: EngineConnector, spec: Spec<'image.pull'>): Promise<ExecutionOutcome> {
  const { fromImage, tag } = splitImageReference(spec.payload.image);
  const auth = credentialsFor(spec.payload.image, spec.payload.registryAuth ?? []);
  const headers = auth ? { headers: { 'x-registry-auth': registryAuthHeader(auth) } } : {};
  const res = await engineRequest(engine, 'POST', `/images/create${query({ fromImage, tag: tag || undefined })}`, undefined, headers);
  if (res.statusCode !== 200) {
    const answer = { status: res.statusCode ?? 0, body: await readBody(res) };
    const error = pullError(spec.payload.image, engineMessage(answer), auth);
    return error.code === 'pull_failed' ? engineFailure(answer, `cannot pull ${spec.payload.image}`) : { status: 'failed', error };
  }
  const progress = new PullProgress();
  await new Promise<void>((resolve, reject) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => progress.push(c));
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', reject);
  });
  progress.end();
  if (progress.error !== null) {
    const error = pullError(spec.payload.image, progress.error, auth);
    // An error in the stream is the registry or the network (the engine accepted the pull): worth retrying unless it is final.
    return { status: 'failed', error, ...(error.code === 'pull_failed' && pullFailureRetryable(progress.error) ? { retryable: true } : {}) };
  }
  return { status: 'succeeded', output: { image: spec.payload.image, status: progress.lastStatus } };
}

/** Container inspect: its State.StartedAt, or the failed outcome (404: not_found). */
export async function containerStartedAt(engine: EngineConnector, containerId: string): Promise<{ startedAt: string } | { outcome: ExecutionOutcome; status: number }> {
  const answer = await engineCall(engine, 'GET', `/containers/${ref(containerId)}/json`);
  if (answer.status !== 200) return { outcome: engineFailure(answer, `cannot restart ${containerId}`), status: answer.status };
  let startedAt: unknown;
  try {
    startedAt = (JSON.parse(answer.body.toString('utf8')) as { State?: { StartedAt?: unknown } }).State?.StartedAt;
  } catch {
    /* not JSON */
  }
  return { startedAt: typeof startedAt === 'string' ? startedAt : '' };
}

/** restart, with the StartedAt read just before journalled first: after a crash, a StartedAt that moved means it happened. */
async function restart(engine: EngineConnector, spec: Spec<'container.restart'>, hooks: ExecutorHooks): Promise<ExecutionOutcome> {
  const { containerId, timeoutSeconds } = spec.payload;
  const before = await containerStartedAt(engine, containerId);
  if ('outcome' in before) return before.outcome;
  hooks.checkpoint({ startedAt: before.startedAt });
  return containerCall(engine, 'POST', `/containers/${ref(containerId)}/restart${query({ t: timeoutSeconds })}`, containerId, 'cannot restart');
}

/** Runs one validated command against the engine; `hooks.checkpoint` journals what recovery needs. */
export async function runSpec(engine: EngineConnector, spec: CommandSpec, hooks: ExecutorHooks = NO_HOOKS): Promise<ExecutionOutcome> {
  switch (spec.kind) {
    case 'container.start':
      return containerCall(engine, 'POST', `/containers/${ref(spec.payload.containerId)}/start`, spec.payload.containerId, 'cannot start');
    case 'container.stop':
      return containerCall(
        engine,
        'POST',
        `/containers/${ref(spec.payload.containerId)}/stop${query({ t: spec.payload.timeoutSeconds })}`,
        spec.payload.containerId,
        'cannot stop',
      );
    case 'container.restart':
      return restart(engine, spec, hooks);
    case 'container.kill':
      return containerCall(
        engine,
        'POST',
        `/containers/${ref(spec.payload.containerId)}/kill${query({ signal: spec.payload.signal })}`,
        spec.payload.containerId,
        'cannot kill',
      );
    case 'container.remove':
      return containerCall(
        engine,
        'DELETE',
        `/containers/${ref(spec.payload.containerId)}${query({ force: spec.payload.force, v: spec.payload.removeVolumes })}`,
        spec.payload.containerId,
        'cannot remove',
      );
    case 'container.exec':
      return runExec(engine, spec, hooks);
    case 'image.pull':
      return pull(engine, spec);
  }
}

/** A thrown engine failure as an outcome; a broken connection may be retried. */
export function unreachableOutcome(err: unknown): ExecutionOutcome {
  return {
    status: 'failed',
    error: { code: 'engine_unreachable', message: `the engine did not answer: ${(err as Error).message}`.slice(0, 4096) },
    ...(isConnectionError(err) ? { retryable: true } : {}),
  };
}

/**
 * Executes a command frame: validates it (unknown kind or bad payload: a failed outcome, never a
 * throw), then runs it. An engine that cannot be reached is a failed outcome too; a checkpoint the
 * journal could not write is thrown (the runner must not report a result it could not keep).
 */
export async function executeCommand(engine: EngineConnector, command: Pick<CommandFrame, 'kind' | 'payload'>, hooks: ExecutorHooks = NO_HOOKS): Promise<ExecutionOutcome> {
  const parsed = parseCommand(command);
  if (!parsed.ok) return parsed.outcome;
  return guarded(hooks, (h) => runSpec(engine, parsed.spec, h));
}

/**
 * Runs `fn` with `hooks`, turning engine errors into outcomes. A failure of the hooks (the journal)
 * or an abort is thrown as it is: it says nothing about the engine.
 */
export async function guarded(hooks: ExecutorHooks, fn: (hooks: ExecutorHooks) => Promise<ExecutionOutcome>, signal?: AbortSignal): Promise<ExecutionOutcome> {
  const journal = { failed: false };
  const watched: ExecutorHooks = {
    checkpoint: (data) => {
      try {
        hooks.checkpoint(data);
      } catch (err) {
        journal.failed = true;
        throw err;
      }
    },
  };
  try {
    return await fn(watched);
  } catch (err) {
    if (journal.failed || signal?.aborted) throw err;
    return unreachableOutcome(err);
  }
}

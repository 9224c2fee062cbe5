// What each command kind does to the engine (Docker Engine API through the EngineConnector).
import type { CommandFrame, CommandSpec } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { parseCommand, type ExecutionOutcome } from './decide.ts';
import { engineCall, engineErrorCode, engineMessage, engineRequest, readBody, type EngineAnswer } from './engine-api.ts';
import { PullProgress, splitImageReference } from './image-ref.ts';
import { credentialsFor, pullError, registryAuthHeader } from './registry-auth.ts';
import { Demuxer, OutputCollector } from './output.ts';

type Spec<K extends CommandSpec['kind']> = Extract<CommandSpec, { kind: K }>;

const ref = (id: string) => encodeURIComponent(id);

function failed(answer: EngineAnswer, what: string): ExecutionOutcome {
  return { status: 'failed', error: { code: engineErrorCode(answer.status), message: `${what}: ${engineMessage(answer)}` } };
}

/** A container state change; 304 (already in that state) counts as done, unchanged. */
async function containerCall(engine: EngineConnector, method: string, path: string, containerId: string, what: string): Promise<ExecutionOutcome> {
  const answer = await engineCall(engine, method, path);
  if (answer.status === 204 || answer.status === 200) return { status: 'succeeded', output: { containerId, changed: true } };
  if (answer.status === 304) return { status: 'succeeded', output: { containerId, changed: false } };
  return failed(answer, `${what} ${containerId}`);
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** exec create → start (no TTY, demultiplexed, capped) → inspect for the exit code. */
async function exec(engine: EngineConnector, spec: Spec<'container.exec'>): Promise<ExecutionOutcome> {
  const p = spec.payload;
  const created = await engineCall(engine, 'POST', `/containers/${ref(p.containerId)}/exec`, {
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Cmd: p.cmd,
    ...(p.env ? { Env: p.env } : {}),
    ...(p.workingDir ? { WorkingDir: p.workingDir } : {}),
    ...(p.user ? { User: p.user } : {}),
  });
  if (created.status !== 201) return failed(created, `cannot exec in ${p.containerId}`);
  const execId = (JSON.parse(created.body.toString('utf8')) as { Id?: unknown }).Id;
  if (typeof execId !== 'string') return { status: 'failed', error: { code: 'engine_error', message: 'the engine created an exec without an id' } };

  // The engine answers with the raw stream and closes the connection at the end: never pool it.
  const res = await engineRequest(engine, 'POST', `/exec/${ref(execId)}/start`, { Detach: false, Tty: false }, { dedicated: true });
  if (res.statusCode !== 200) return failed({ status: res.statusCode ?? 0, body: await readBody(res) }, `cannot start the exec in ${p.containerId}`);
  const demux = new Demuxer();
  const collected = new OutputCollector();
  await new Promise<void>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      for (const chunk of demux.push(c)) collected.add(chunk);
    });
    res.once('end', resolve);
    res.once('close', resolve);
    res.once('error', reject);
  });
  const output = collected.finish();

  // The stream ends when the process does; the engine may record the exit code a moment later.
  let exitCode: number | null = null;
  for (let i = 0; i < 100 && exitCode === null; i++) {
    const inspected = await engineCall(engine, 'GET', `/exec/${ref(execId)}/json`);
    if (inspected.status !== 200) return failed(inspected, `cannot inspect the exec in ${p.containerId}`);
    const info = JSON.parse(inspected.body.toString('utf8')) as { Running?: unknown; ExitCode?: unknown };
    if (info.Running !== true && typeof info.ExitCode === 'number') exitCode = info.ExitCode;
    else await sleep(20);
  }
  if (exitCode === null) return { status: 'failed', output, error: { code: 'engine_error', message: 'the engine did not report the exit code' } };
  const result = { exitCode, ...output };
  if (exitCode === 0) return { status: 'succeeded', output: result };
  return { status: 'failed', output: result, error: { code: 'exit_code', message: `the process exited with code ${exitCode}` } };
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
    return error.code === 'pull_failed' ? failed(answer, `cannot pull ${spec.payload.image}`) : { status: 'failed', error };
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
  if (progress.error !== null) return { status: 'failed', error: pullError(spec.payload.image, progress.error, auth) };
  return { status: 'succeeded', output: { image: spec.payload.image, status: progress.lastStatus } };
}

/** Runs one validated command against the engine. */
export async function runSpec(engine: EngineConnector, spec: CommandSpec): Promise<ExecutionOutcome> {
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
      return containerCall(
        engine,
        'POST',
        `/containers/${ref(spec.payload.containerId)}/restart${query({ t: spec.payload.timeoutSeconds })}`,
        spec.payload.containerId,
        'cannot restart',
      );
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
      return exec(engine, spec);
    case 'image.pull':
      return pull(engine, spec);
  }
}

/**
 * Executes a command frame: validates it (unknown kind or bad payload: a failed outcome, never a
 * throw), then runs it. An engine that cannot be reached is a failed outcome too.
 */
export async function executeCommand(engine: EngineConnector, command: Pick<CommandFrame, 'kind' | 'payload'>): Promise<ExecutionOutcome> {
  const parsed = parseCommand(command);
  if (!parsed.ok) return parsed.outcome;
  try {
    return await runSpec(engine, parsed.spec);
  } catch (err) {
    return { status: 'failed', error: { code: 'engine_unreachable', message: `the engine did not answer: ${(err as Error).message}`.slice(0, 4096) } };
  }
}

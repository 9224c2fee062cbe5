// Exactly-once and order, checked on the engine itself: the engine's own event log (docker events)
// compared with what a list of commands must have done, modelled command by command. A lost command
// leaves a gap, a repeated one an extra event, a reordering a swap; each shows as a first difference.
import { spawn } from 'node:child_process';
import type { Host } from '../rig/index.ts';

/** A container command or a stack deploy as the test queued it (kind, target, what it does). */
export type ModelCommand =
  | { kind: 'container.restart' | 'container.stop' | 'container.start'; container: string }
  | { kind: 'container.exec'; container: string; mark: number }
  | { kind: 'stack.deploy'; container: string };

/** One engine effect: an action on a container (exec: its mark). */
export interface Effect {
  action: 'create' | 'start' | 'stop' | 'restart' | 'exec' | 'destroy';
  container: string;
  mark?: number;
}

/** The line an exec command appends (to /tmp/lines in its container): its mark. */
export function execAppend(mark: number): string[] {
  return ['sh', '-c', `echo ${mark} >> /tmp/lines`];
}

/**
 * What the commands do to the engine, in order, given which containers run at the start. Each
 * command that ran must have succeeded; superseded ones did nothing.
 */
export function expectedEffects(commands: ReadonlyArray<ModelCommand & { status: string }>, running: ReadonlySet<string>): Effect[] {
  const up = new Set(running);
  const out: Effect[] = [];
  for (const c of commands) {
    if (c.status === 'superseded') continue;
    switch (c.kind) {
      case 'container.restart':
        if (up.has(c.container)) out.push({ action: 'stop', container: c.container });
        out.push({ action: 'start', container: c.container }, { action: 'restart', container: c.container });
        up.add(c.container);
        break;
      case 'container.stop':
        if (up.has(c.container)) out.push({ action: 'stop', container: c.container });
        up.delete(c.container);
        break;
      case 'container.start':
        if (!up.has(c.container)) out.push({ action: 'start', container: c.container });
        up.add(c.container);
        break;
      case 'container.exec':
        out.push({ action: 'exec', container: c.container, mark: c.mark });
        break;
      case 'stack.deploy':
        out.push({ action: 'create', container: c.container }, { action: 'start', container: c.container });
        up.add(c.container);
        break;
    }
  }
  return out;
}

const KEPT = new Set(['create', 'start', 'stop', 'restart', 'destroy']);
const FORMAT = '{{.TimeNano}}\t{{.Action}}\t{{index .Actor.Attributes "name"}}';

/** A live follower of the engine's container events; stop() ends it and answers what it saw. */
export interface EffectRecorder {
  stop(): Promise<Effect[]>;
}

/**
 * Follows the engine's container events from now on (the engine replays only its last 256 events,
 * so a long run must be recorded live), keeping those of `containers()` (read at the end).
 */
export async function recordEngineEffects(host: Host, containers: () => ReadonlySet<string>): Promise<EffectRecorder> {
  const child = spawn('docker', ['-H', `unix://${host.dockerSocket}`, 'events', '--filter', 'type=container', '--format', FORMAT], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (text += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // The CLI prints nothing until an event happens: give it a moment to subscribe.
  await new Promise((r) => setTimeout(r, 500));
  return {
    stop: async () => {
      await new Promise((r) => setTimeout(r, 1_000)); // the last events on their way
      child.kill('SIGTERM');
      await exited;
      return parseEffects(text, containers());
    },
  };
}

/** Effects from `docker events` lines (FORMAT), in the engine's order, of the named containers only. */
export function parseEffects(text: string, containers: ReadonlySet<string>): Effect[] {
  const rows = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [time, action, name] = l.split('\t') as [string, string, string];
      return { time: BigInt(time), action, name };
    })
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const out: Effect[] = [];
  for (const r of rows) {
    if (!containers.has(r.name)) continue;
    const exec = /^exec_start: sh -c echo (\d+) >> \/tmp\/lines$/.exec(r.action);
    if (exec) out.push({ action: 'exec', container: r.name, mark: Number(exec[1]) });
    else if (KEPT.has(r.action)) out.push({ action: r.action as Effect['action'], container: r.name });
  }
  return out;
}

/** Where two effect lists first differ (null when equal), for a readable failure. */
export function firstDifference(expected: readonly Effect[], actual: readonly Effect[]): string | null {
  const n = Math.max(expected.length, actual.length);
  const show = (e: Effect | undefined) => (e ? `${e.action} ${e.container}${e.mark !== undefined ? ` #${e.mark}` : ''}` : '(nothing)');
  for (let i = 0; i < n; i++) {
    const a = expected[i];
    const b = actual[i];
    if (!a || !b || a.action !== b.action || a.container !== b.container || a.mark !== b.mark) {
      return `effect ${i + 1} of ${expected.length} expected / ${actual.length} seen: expected ${show(a)}, engine did ${show(b)}`;
    }
  }
  return null;
}

/** Lost, duplicated and order: from the marks found (in file order) against the marks expected (in order). */
export function countMarks(expected: readonly number[], found: readonly number[]): { lost: number; duplicated: number; orderKept: boolean } {
  const seen = new Map<number, number>();
  for (const m of found) seen.set(m, (seen.get(m) ?? 0) + 1);
  const lost = expected.filter((m) => !seen.has(m)).length;
  const duplicated = [...seen.values()].reduce((sum, k) => sum + (k - 1), 0) + found.filter((m) => !expected.includes(m)).length;
  const rank = new Map(expected.map((m, i) => [m, i]));
  let orderKept = true;
  for (let i = 1; i < found.length; i++) if ((rank.get(found[i]!) ?? -1) <= (rank.get(found[i - 1]!) ?? -1)) orderKept = false;
  return { lost, duplicated, orderKept };
}

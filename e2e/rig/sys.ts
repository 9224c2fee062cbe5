// Small process helpers for the rig. Teardown paths are synchronous on purpose: they must also run
// from a process 'exit' handler, where no promise ever settles.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Runs a command to completion and returns stdout; throws with stderr when it exits non-zero. */
export function runSync(cmd: string, args: string[], input?: string | Buffer): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Like runSync but never throws: for best-effort teardown steps. */
export function tryRunSync(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

/** Runs a command without blocking the event loop; resolves stdout, rejects with stderr on failure. */
export function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Blocks the thread for ms milliseconds (teardown only; never on a hot path). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while a process with this pid exists (zombies count as gone). */
export function pidAlive(pid: number): boolean {
  // pid 0 or below would address process groups, never a single process.
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Sends a signal, ignoring processes that are already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  // Guard: kill(0) or kill(-1) would hit our own process group or every process.
  if (!(pid > 0)) return;
  try {
    process.kill(pid, sig);
  } catch {
    // Already exited: nothing to do.
  }
}

/** Signals the process group led by pid (a child spawned with `detached: true`), ignoring a group that is gone. */
export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  // Guard: pid 1 or below would address init's group or every process.
  if (!(pid > 1)) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // No such group any more.
  }
}

/** SIGTERMs pid, waits up to graceMs, then SIGKILLs it; returns once it is gone or 2 s after the kill. */
export function terminateSync(pid: number, graceMs: number): void {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) sleepSync(50);
  if (!pidAlive(pid)) return;
  signal(pid, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (pidAlive(pid) && Date.now() < hard) sleepSync(20);
}

/** Polls check() every intervalMs until it returns true; rejects with what after timeoutMs. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

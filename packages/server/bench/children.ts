// Child processes and the temp dir of one bench run, tracked so that every way out (success, failure,
// watchdog, Ctrl-C) kills the children and removes the dir.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tail } from './lib.ts';

const children = new Set<ChildProcess>();
let tmpRoot: string | null = null;

/** Registers `child` to be killed by cleanupSync() while it runs; returns it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Forks a tracked bench script (IPC, stdout inherited); `stderr()` is its stderr's tail, for errors. */
export function forkScript(file: string, execArgv?: string[]): { child: ChildProcess; stderr: () => string } {
  const errors = tail();
  const child = track(
    fork(path.join(import.meta.dirname, file), [], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      ...(execArgv ? { execArgv } : {}),
    }),
  );
  child.stderr?.on('data', (c: Buffer) => errors.push(c));
  return { child, stderr: () => errors.text() };
}

/** Creates the run's temp dir, removed by cleanupSync(); returns its path. */
export function makeTempRoot(): string {
  tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'capstan-bench-'));
  return tmpRoot;
}

/** SIGKILLs every tracked child still running and removes the temp dir; safe to call repeatedly. */
export function cleanupSync(): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  if (tmpRoot) {
    rmSync(tmpRoot, { recursive: true, force: true });
    tmpRoot = null;
  }
}

/** Runs cleanupSync() on process exit, and on SIGINT / SIGTERM before exiting 130 / 143. */
export function cleanupOnExit(): void {
  process.on('exit', cleanupSync);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      cleanupSync();
      process.exit(code);
    });
  }
}

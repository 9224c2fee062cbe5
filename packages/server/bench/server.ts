// The server under test as a real child process (bin/capstan-server.js): start it, wait until
// /api/health answers, stop it with SIGTERM, and time cold starts on fresh and existing data dirs.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { track } from './children.ts';
import { call } from './client.ts';
import { CONFIG } from './config.ts';
import { fmt, freePort, progress, sleep, tail, waitExit } from './lib.ts';

const SERVER_BIN = path.resolve(import.meta.dirname, '../bin/capstan-server.js');

/** A running server under test; `readyMs` is spawn to first healthy answer. */
export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  readyMs: number;
  output: ReturnType<typeof tail>;
}

/**
 * Starts the server on a free port (`extraArgs` appended to its command line); resolves once /api/health
 * answers 200, rejects on exit or timeout.
 */
export async function startServer(
  dataDir: string,
  passwordFile: string,
  extraArgs: readonly string[] = [],
): Promise<Server> {
  const port = await freePort();
  const output = tail();
  const args = [
    SERVER_BIN,
    '--data-dir',
    dataDir,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--log-level',
    'warn',
    '--admin-password-file',
    passwordFile,
    '--login-rate-limit',
    '1000000',
    ...extraArgs,
  ];
  const t0 = performance.now();
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout?.on('data', (c: Buffer) => output.push(c));
  child.stderr?.on('data', (c: Buffer) => output.push(c));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the server');
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `server exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${output.text()}`,
      );
    }
    if (performance.now() - t0 > CONFIG.readyTimeoutMs) {
      throw new Error(`server not ready after ${CONFIG.readyTimeoutMs} ms:\n${output.text()}`);
    }
    const status = await call(port, 'GET', '/api/health', { timeoutMs: 2_000 }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    await sleep(CONFIG.pollMs);
  }
  return { child, pid, port, readyMs: performance.now() - t0, output };
}

/** SIGTERMs the server; resolves when it exits 0, rejects if it exits otherwise or takes over 10 s. */
export async function stopServer(server: Server): Promise<{ ms: number; code: number | null }> {
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  const code = await waitExit(server.child, 10_000);
  if (code === 'timeout') {
    server.child.kill('SIGKILL');
    await waitExit(server.child, 5_000);
    throw new Error(`server did not stop within 10 s of SIGTERM:\n${server.output.text()}`);
  }
  if (code !== 0) throw new Error(`server exited with code ${code} on SIGTERM:\n${server.output.text()}`);
  return { ms: performance.now() - t0, code };
}

/**
 * Times CONFIG.startRepeats starts on fresh data dirs (the first is `mainDir`), then as many restarts on
 * `mainDir`, pushing each ready time into `into` as it goes; resolves with the last restart still running.
 */
export async function measureColdStarts(
  root: string,
  mainDir: string,
  passwordFile: string,
  into: { freshMs: number[]; restartMs: number[] },
): Promise<Server> {
  // Fresh dirs pay for migrations, the certificate and admin seeding; restarts only for opening them.
  for (let i = 1; i <= CONFIG.startRepeats; i++) {
    const dir = i === 1 ? mainDir : path.join(root, `data-${i}`);
    const server = await startServer(dir, passwordFile);
    into.freshMs.push(server.readyMs);
    progress(`fresh start ${i}/${CONFIG.startRepeats}: ready in ${fmt(server.readyMs)} ms`);
    await stopServer(server);
    if (i !== 1) rmSync(dir, { recursive: true, force: true });
  }
  let server: Server | null = null;
  for (let i = 1; i <= CONFIG.startRepeats; i++) {
    server = await startServer(mainDir, passwordFile);
    into.restartMs.push(server.readyMs);
    progress(`restart ${i}/${CONFIG.startRepeats}: ready in ${fmt(server.readyMs)} ms`);
    if (i < CONFIG.startRepeats) await stopServer(server);
  }
  if (!server) throw new Error('no server');
  return server;
}

// `capstan server`: runs the server package's own entry point in a child process. The CLI never
// imports server code; it only finds the executable the server package declares.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CliError } from './errors.ts';

const ServerPackageSchema = z.object({ bin: z.record(z.string(), z.string()) });

/** Absolute path of the `capstan-server` executable declared by the installed @capstan/server package. */
export function serverBinPath(): string {
  let manifest: string;
  try {
    manifest = fileURLToPath(import.meta.resolve('@capstan/server/package.json'));
  } catch {
    throw new CliError('the Capstan server is not installed next to this CLI (@capstan/server not found)');
  }
  const parsed = ServerPackageSchema.safeParse(JSON.parse(readFileSync(manifest, 'utf8')));
  const bin = parsed.success ? parsed.data.bin['capstan-server'] : undefined;
  if (bin === undefined) throw new CliError(`${manifest} declares no "capstan-server" executable`);
  return path.resolve(path.dirname(manifest), bin);
}

/** Runs the server with `args` and the same Node, forwarding SIGINT/SIGTERM; resolves to the exit code to use. */
export function runServer(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [serverBinPath(), ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  // Handling the signals also keeps this process alive until the server has shut down cleanly.
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    const done = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`capstan server: cannot start ${process.execPath}: ${err.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => {
      // A child killed by a signal is reported the shell way, 128 + signal number.
      done(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

// Vitest global setup: a throwaway PostgreSQL cluster for the integration tests, unless
// CAPSTAN_TEST_DATABASE_URL points at one already. Real server, real SQL: no fakes.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/server-process.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (existsSync(path.join(bin, 'initdb'))) return bin;
  }
  throw new Error('PostgreSQL server binaries not found: install Debian\'s postgresql (scripts/test.sh does it) or set CAPSTAN_TEST_DATABASE_URL');
}

export default async function setup(project: TestProject): Promise<() => void> {
  const given = process.env.CAPSTAN_TEST_DATABASE_URL;
  if (given) {
    project.provide('pgUrl', given);
    return () => undefined;
  }
  const bin = pgBin();
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  // initdb refuses to run as root: run the cluster as the postgres user when we are root.
  const asPg = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...asPg, path.join(bin, cmd), ...args];
    execFileSync(exe!, rest, { stdio: 'pipe' });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', [
    '-D', data, '-l', path.join(dir, 'log'), '-w', 'start',
    '-o', `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
  ]);
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    const [exe, ...rest] = [...asPg, path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
    spawnSync(exe, rest, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
}

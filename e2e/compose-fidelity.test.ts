// Compose fidelity: every valid case of the compose reader's corpus is brought up by Debian's
// docker-compose 1.29 and by Capstan (reader → the agent's stack.deploy executor) on the same rig
// engine, one after the other, and `docker inspect` of both sides' containers, networks and volumes
// must agree field by field once project names and working directories are neutral. The few fields
// where Capstan differs on purpose are excluded per case in fidelity/cases.ts with their reason
// (docs/compose-fidelity.md); an exclusion that no longer matches anything fails too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadValidCase, validCaseNames } from '../packages/protocol/src/compose/testdata/corpus.ts';
import { dockerEngine } from '../packages/agent/src/engine/docker-engine.ts';
import type { EngineConnector } from '../packages/agent/src/engine/engine-connector.ts';
import type { StackRuntime } from '../packages/agent/src/stacks/deploy.ts';
import { stackPaths } from '../packages/agent/src/stacks/stack-files.ts';
import { ADAPTATIONS, ALWAYS_EXCLUDED, EXCLUDED, EXTERNAL, MAY_FAIL_TO_START, PREPARE, type Exclusion } from './fidelity/cases.ts';
import { capstanDeploy, capstanRemove, capstanTarget, docker, dockerCompose, inspectProject, onlyStartFailures } from './fidelity/sides.ts';
import { diffViews, formatDiffs, projectView, type FieldDiff, type Normalizer } from './fidelity/view.ts';
import { startHosts, stopAll, type Host } from './rig/index.ts';
import { run } from './rig/sys.ts';

const CASES = validCaseNames();

let host: Host;
let engine: EngineConnector;
let root = '';
let sharedMount = '';
const dirs = () => ({ home: path.join(root, 'home'), hostRoot: path.join(root, 'host'), state: path.join(root, 'state') });
const rt = (): StackRuntime => ({ engine, stateDir: dirs().state, homeDir: dirs().home, progress: () => undefined, pollMs: 200, dependencyTimeoutMs: 60_000 });

/** The case's files with its adaptations applied (each must match). */
function caseFiles(name: string): Record<string, string> {
  const files = loadValidCase(name);
  let text = files['compose.yml'] ?? '';
  for (const a of ADAPTATIONS[name] ?? []) {
    if (!text.includes(a.from)) throw new Error(`${name}: adaptation "${a.from}" no longer matches compose.yml`);
    text = text.split(a.from).join(a.to.split('<HOST>').join(dirs().hostRoot));
  }
  return { ...files, 'compose.yml': text };
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

/** Host folders the case needs, in both working directories and under the host stand-in. */
function prepare(name: string, workDirs: string[]): void {
  const p = PREPARE[name];
  for (const d of p?.host ?? []) mkdirSync(path.join(dirs().hostRoot, d), { recursive: true });
  for (const w of workDirs) for (const d of p?.work ?? []) mkdirSync(path.join(w, d), { recursive: true });
}

/** Engine names of the networks whose subnets the file sets (the others' are the engine's pick). */
function fileIpam(files: Record<string, string>, project: string): Set<string> {
  return new Set(Object.values(capstanTarget(files, project, 1).project.networks).flatMap((n) => (n.ipam && n.ipam.config.length > 0 ? [n.name] : [])));
}

const normalizer = (project: string, workingDir: string): Normalizer => ({
  project,
  paths: [
    [workingDir, '<WD>'],
    [path.dirname(workingDir), '<WD>/..'],
    [dirs().hostRoot, '<HOST>'],
    [dirs().home, '<HOME>'],
  ],
});

/** Splits diffs into unexplained ones and the exclusions that explained at least one. */
function explain(name: string, diffs: FieldDiff[]): { unexplained: FieldDiff[]; unused: Exclusion[] } {
  const own = EXCLUDED[name] ?? [];
  const used = new Set<Exclusion>();
  const unexplained = diffs.filter((d) => {
    const hit = [...ALWAYS_EXCLUDED, ...own].find((e) => e.path.test(d.path) && (e.when?.(d.ref, d.cap) ?? true));
    if (hit) used.add(hit);
    return hit === undefined;
  });
  return { unexplained, unused: own.filter((e) => !used.has(e)) };
}

beforeAll(async () => {
  const version = execFileSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('1.29.')) throw new Error(`docker-compose ${version} found; the comparison is against Debian's 1.29 (apt-get install docker-compose)`);
  root = mkdtempSync(path.join(tmpdir(), 'capstan-fidelity-'));
  for (const d of Object.values(dirs())) mkdirSync(d, { recursive: true });
  // Bind propagation (rshared, rslave) needs its source on a shared mount: make the host stand-in one.
  await run('mount', ['--bind', dirs().hostRoot, dirs().hostRoot]);
  sharedMount = dirs().hostRoot;
  await run('mount', ['--make-rshared', sharedMount]);
  [host] = (await startHosts(1)) as [Host];
  engine = dockerEngine({ kind: 'unix', socketPath: host.dockerSocket });
  for (const n of EXTERNAL.networks) await host.docker(['network', 'create', n]);
  for (const v of EXTERNAL.volumes) await host.docker(['volume', 'create', v]);
});

afterAll(async () => {
  engine?.close();
  await stopAll();
  if (sharedMount) await run('umount', ['-l', sharedMount]).catch(() => undefined);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('compose fidelity: Capstan vs docker-compose 1.29 on the same engine', () => {
  it('the corpus has at least 20 valid cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  CASES.forEach((name, index) => {
    const i = index + 1;
    it(`${name}: what Capstan creates equals what docker-compose creates`, { timeout: 240_000 }, async () => {
      const files = caseFiles(name);
      const ref = `ref${i}`;
      const cap = `cap${i}`;
      const refWork = path.join(root, ref, 'work');
      const capWork = stackPaths(dirs().state, cap).workingDir;
      writeTree(refWork, files);
      writeTree(capWork, files);
      prepare(name, [refWork, capWork]);
      const mayFail = MAY_FAIL_TO_START[name]?.services ?? [];

      // docker-compose first, then gone again: both sides publish the same host ports and fixed names.
      const up = await dockerCompose(host.dockerSocket, refWork, dirs().home, ['-p', ref, '-f', 'compose.yml', 'up', '-d', '--no-build']);
      const refInspected = await inspectProject(host.dockerSocket, ref, true);
      const down = await dockerCompose(host.dockerSocket, refWork, dirs().home, ['-p', ref, '-f', 'compose.yml', 'down', '-v', '-t', '1']);
      expect(up.code === 0 || onlyStartFailures(up, ref, mayFail), `docker-compose up:\n${up.output}`).toBe(true);
      expect(down.code, `docker-compose down:\n${down.output}`).toBe(0);
      expect(refInspected.containers.length).toBeGreaterThan(0);

      let capInspected;
      try {
        await capstanDeploy(rt(), capstanTarget(files, cap, i), null, mayFail);
        capInspected = await inspectProject(host.dockerSocket, cap, true);
      } finally {
        // Killed first: the corpus's `sleep` commands ignore SIGTERM, and stack.remove would wait out each stop timeout.
        const ids = (await docker(host.dockerSocket, ['ps', '-q', '--filter', `label=com.docker.compose.project=${cap}`])).split('\n').filter(Boolean);
        if (ids.length > 0) await docker(host.dockerSocket, ['kill', ...ids]).catch(() => undefined);
        await capstanRemove(rt(), cap);
      }
      // Both cleaned up after themselves.
      for (const p of [ref, cap]) expect(await inspectProject(host.dockerSocket, p)).toMatchObject({ containers: [], networks: [], volumes: [] });

      const refView = projectView(refInspected, normalizer(ref, refWork), fileIpam(files, ref));
      const capView = projectView(capInspected, normalizer(cap, capWork), fileIpam(files, cap));
      // CAPSTAN_FIDELITY_DUMP=<dir> keeps both views of every case for reading.
      const dump = process.env.CAPSTAN_FIDELITY_DUMP;
      if (dump) writeTree(dump, { [`${name}.compose.json`]: JSON.stringify(Object.fromEntries(refView), null, 1), [`${name}.capstan.json`]: JSON.stringify(Object.fromEntries(capView), null, 1) });
      const diffs = diffViews(refView, capView);
      const { unexplained, unused } = explain(name, diffs);
      expect(unexplained, `${name}: Capstan differs from docker-compose 1.29:\n${formatDiffs(unexplained)}`).toEqual([]);
      expect(unused.map((e) => String(e.path)), `${name}: exclusions that no longer match a difference (remove them)`).toEqual([]);
    });
  });

  it('leaves nothing of either tool on the engine', async () => {
    const left = (await docker(host.dockerSocket, ['ps', '-aq'])).trim();
    expect(left).toBe('');
  });
});

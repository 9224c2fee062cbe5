// End to end: the installed `capstan` executable starts a real server, then real CLI processes
// talk to it over HTTPS with a throwaway config file. Nothing is imported from the server.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DeployedVersionSchema,
  EnvironmentPageSchema,
  EnvironmentSchema,
  StackPageSchema,
  StackVersionListSchema,
  TeamPageSchema,
  UserSchema,
} from '@capstan/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NODE_OPTIONS } from '@capstan/protocol';

const CAPSTAN = path.resolve(import.meta.dirname, '../../../node_modules/.bin/capstan');
const PASSWORD = 'correct horse battery staple';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The environment without CAPSTAN_* variables, so the developer's own settings cannot leak in. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CAPSTAN_')));
  return { ...env, ...extra };
}

function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/api/health`, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
  });
}

describe('capstan CLI against a real server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-cli-smoke-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config', 'capstan.json');
  const passwordFile = path.join(dir, 'admin-password');
  let server: ChildProcess | null = null;
  let serverLog = '';
  let url = '';

  const capstan = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [CAPSTAN, ...args],
        { env: cleanEnv({ CAPSTAN_CONFIG: configFile, ...env }) },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });

  const json = async (args: string[]): Promise<unknown> => {
    const r = await capstan([...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  beforeAll(async () => {
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const port = await freePort();
    url = `https://127.0.0.1:${port}`;
    const args = [
      'server',
      '--data-dir',
      dataDir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--admin-password-file',
      passwordFile,
      '--log-level',
      'warn',
    ];
    const child = spawn(process.execPath, [CAPSTAN, ...args], {
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    child.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    const deadline = Date.now() + 60_000;
    while ((await healthStatus(url)) !== 200) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${serverLog}`);
      if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(() => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the self-signed certificate without --insecure, and says what to do', async () => {
    const r = await capstan(['login', '--url', url, '--username', 'admin', '--password-file', passwordFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--insecure');
    expect(r.stderr).toContain('--ca-file');
  });

  it('logs in with --insecure and keeps the session in a private config file', async () => {
    const r = await capstan([
      'login',
      '--url',
      url,
      '--username',
      'admin',
      '--insecure',
      '--password-file',
      passwordFile,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logged in');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(stored).toMatchObject({ url, insecure: true, caFile: null });
    expect(typeof stored.token).toBe('string');
  });

  it('also trusts the server certificate given with --ca-file', async () => {
    const caConfig = path.join(dir, 'ca-config.json');
    const caFile = path.join(dataDir, 'tls', 'cert.pem');
    const r = await capstan(
      ['login', '--url', url, '--username', 'admin', '--ca-file', caFile, '--password-file', passwordFile],
      {
        CAPSTAN_CONFIG: caConfig,
      },
    );
    expect(r.code).toBe(0);
    const who = await capstan(['whoami'], { CAPSTAN_CONFIG: caConfig });
    expect(who.code).toBe(0);
    expect(who.stdout).toContain('admin');
  });

  it('tells who is signed in', async () => {
    const r = await capstan(['whoami']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/user\s+admin \(id 1\)/);
    expect(r.stdout).toMatch(/role\s+administrator/);
  });

  it('creates and lists environments as a table and as JSON', async () => {
    const created = await capstan(['env', 'create', 'smoke-env', '--mode', 'async']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created environment \d+ "smoke-env"/);

    const table = await capstan(['env', 'list']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['ID', 'NAME', 'STATUS', 'MODE', 'GROUP', 'TAGS', 'CONTAINERS', 'STATE AS OF', 'LAST SEEN', 'NEXT POLL', 'QUEUE']);
    expect(rows.some((row) => /^\d+\s+smoke-env\s+pending\s+async\s+-\s+-\s+-\s+-\s+-\s+-\s+0$/.test(row))).toBe(true);

    const page = EnvironmentPageSchema.parse(await json(['env', 'list', '--search', 'smoke']));
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      name: 'smoke-env',
      mode: 'async',
      status: 'pending',
      groupId: null,
      tags: [],
    });
  });

  it('switches an environment between modes by name or id, and changes its poll interval', async () => {
    const toStandard = await capstan(['env', 'set', 'SMOKE-env', '--mode', 'standard']);
    expect(toStandard.code, toStandard.stderr).toBe(0);
    expect(toStandard.stdout).toMatch(/^environment \d+ "smoke-env": mode standard\n$/);
    const id = /^environment (\d+)/.exec(toStandard.stdout)?.[1] ?? '';
    const back = await capstan(['env', 'set', id, '--mode', 'async', '--poll-interval', '120']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toBe(`environment ${id} "smoke-env": mode async, polls every 120 s\n`);
    const nothing = await capstan(['env', 'set', id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('give --mode or --poll-interval');
    const badMode = await capstan(['env', 'set', id, '--mode', 'sometimes']);
    expect(badMode.code).toBe(2);
    const unknown = await capstan(['env', 'set', 'no-such-env', '--mode', 'async']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no environment named "no-such-env"');
  });

  it('reports the server problem and exits 1 on a duplicate name', async () => {
    const r = await capstan(['env', 'create', 'smoke-env']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('an environment named "smoke-env" exists');
    expect(r.stderr).toContain('(conflict)');
  });

  it('deletes an environment', async () => {
    const env = EnvironmentSchema.parse(await json(['env', 'create', 'short-lived']));
    const r = await capstan(['env', 'delete', String(env.id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`deleted environment ${env.id}\n`);
    const page = EnvironmentPageSchema.parse(await json(['env', 'list', '--search', 'short-lived']));
    expect(page.total).toBe(0);
  });

  it('prints the join command for an environment, and a fleet token for a group', async () => {
    const env = EnvironmentSchema.parse(await json(['env', 'create', 'join-me']));
    const r = await capstan(['env', 'join-token', String(env.id), '--ttl', '600']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`one-time join token for environment ${env.id}`);
    expect(r.stdout).toMatch(/--join-token cjt_[A-Za-z0-9_-]{43}/);
    expect(r.stdout).toContain(`node ${AGENT_NODE_OPTIONS.join(' ')} capstan-agent.js`);
    const docker = await capstan(['env', 'join-token', String(env.id), '--docker']);
    expect(docker.stdout).toContain('docker run');
    const badTtl = await capstan(['env', 'join-token', String(env.id), '--ttl', '5']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('--ttl must be a whole number from 60');
    const fleet = await capstan(['env', 'fleet-token', '999999']);
    expect(fleet.code).toBe(1);
    expect(fleet.stderr).toContain('(not_found)');
  });

  it('prints field issues of a validation problem', async () => {
    const r = await capstan(['user', 'create', 'shorty', '--password-file', '/dev/null']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the password is empty');
    const weak = path.join(dir, 'weak');
    writeFileSync(weak, 'short\n');
    const v = await capstan(['user', 'create', 'shorty', '--password-file', weak]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('(validation_failed)');
    expect(v.stderr).toContain('  body.password: must be at least 12 characters');
  });

  it('manages users and teams', async () => {
    const userPassword = path.join(dir, 'carol-password');
    writeFileSync(userPassword, 'carol has a long password\n');
    const carol = UserSchema.parse(await json(['user', 'create', 'carol', '--password-file', userPassword]));
    expect(carol).toMatchObject({ username: 'carol', isAdmin: false });

    const users = await capstan(['user', 'list']);
    expect(users.code).toBe(0);
    expect(users.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'ID',
      'USERNAME',
      'ADMIN',
      'STATUS',
      'CREATED',
    ]);
    expect(users.stdout).toMatch(new RegExp(`^${carol.id}\\s+carol\\s+no\\s+active\\s`, 'm'));

    const createdTeam = await capstan(['team', 'create', 'ops']);
    expect(createdTeam.code).toBe(0);
    const teamId = Number(/^created team (\d+) "ops"/.exec(createdTeam.stdout)?.[1]);
    expect(teamId).toBeGreaterThan(0);

    const added = await capstan(['team', 'add-member', String(teamId), String(carol.id)]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`added user ${carol.id} to team ${teamId}`);

    const teams = TeamPageSchema.parse(await json(['team', 'list']));
    expect(teams.items.find((t) => t.id === teamId)?.memberIds).toEqual([carol.id]);

    const disabled = UserSchema.parse(await json(['user', 'disable', String(carol.id)]));
    expect(disabled.disabled).toBe(true);
    const users2 = await capstan(['user', 'list', '--search', 'carol']);
    expect(users2.stdout).toMatch(/carol\s+no\s+disabled/);

    const removed = await capstan(['team', 'remove-member', String(teamId), String(carol.id)]);
    expect(removed.code).toBe(0);
    const after = TeamPageSchema.parse(await json(['team', 'list']));
    expect(after.items.find((t) => t.id === teamId)?.memberIds).toEqual([]);
  });

  describe('stacks (no agent: nothing runs)', () => {
    let envId = 0;
    let stackId = 0;
    const compose = path.join(dir, 'shop', 'compose.yml');

    it('creates a stack from a compose file, and points a compose error at its line:column', async () => {
      envId = EnvironmentSchema.parse(await json(['env', 'create', 'stack-site'])).id;
      mkdirSync(path.dirname(compose), { recursive: true });
      writeFileSync(compose, 'services:\n  web:\n    image: busybox\n    environment:\n      GREETING: ${GREETING}\n');
      const r = await capstan(['stack', 'create', 'shop', '--env', String(envId), '--file', compose, '--var', 'GREETING=hi', '--secret', 'TOKEN=s3cret-value']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      stackId = Number(/^created stack (\d+) "shop" on environment (\d+)/.exec(r.stdout)?.[1]);
      expect(stackId).toBeGreaterThan(0);

      const bad = path.join(dir, 'shop', 'bad.yml');
      writeFileSync(bad, 'services:\n  web:\n    image: busybox\n    restart: sometimes\n');
      const e = await capstan(['stack', 'create', 'broken', '--env', String(envId), '--file', bad]);
      expect(e.code).toBe(1);
      expect(e.stderr).toContain('(compose_invalid)');
      expect(e.stderr).toContain(`  ${bad}:4:14: services.web.restart must be `);
      expect(e.stderr).not.toContain('services.web.restart: services.web.restart');
    });

    it('lists and shows stacks; secret values stay hidden', async () => {
      const table = await capstan(['stack', 'list', '--env', String(envId)]);
      expect(table.code).toBe(0);
      expect(table.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual(['ID', 'NAME', 'ENVIRONMENT', 'STATUS', 'LATEST', 'SOURCE', 'UPDATED']);
      expect(table.stdout).toMatch(new RegExp(`^${stackId}\\s+shop\\s+${envId}\\s+draft\\s+-\\s+upload\\s`, 'm'));
      const page = StackPageSchema.parse(await json(['stack', 'list', '--env', String(envId)]));
      expect(page.items.map((s) => s.name)).toEqual(['shop']);

      const show = await capstan(['stack', 'show', String(stackId)]);
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/variables\s+GREETING=hi TOKEN=\(secret\)/);
      expect(show.stdout).toContain('      GREETING: ${GREETING}');
      expect(show.stdout).not.toContain('s3cret-value');
    });

    it("prints the server's problem for a plan when the host never reported its state", async () => {
      const r = await capstan(['stack', 'plan', String(stackId)]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('never reported its engine state');
      expect(r.stderr).toContain('(plan_unavailable)');
    });

    it('deploys only when confirmed: --yes off a terminal; --detach returns with the version queued', async () => {
      const refused = await capstan(['stack', 'deploy', String(stackId)]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('pass --yes');

      const r = await capstan(['stack', 'deploy', String(stackId), '--yes', '--detach']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('no plan: ');
      expect(r.stdout).toMatch(new RegExp(`queued version 1 \\(id \\d+\\) of stack ${stackId}`));

      const v2 = DeployedVersionSchema.parse(await json(['stack', 'deploy', String(stackId), '--yes', '--detach', '--var', 'GREETING=bonjour']));
      expect(v2).toMatchObject({ number: 2, status: 'queued' });
      // Variables not named on the command line are kept, the secret one included.
      expect(v2.variables).toEqual([
        { name: 'GREETING', value: 'bonjour', secret: false },
        { name: 'TOKEN', value: null, secret: true },
      ]);

      const versions = await capstan(['stack', 'versions', String(stackId)]);
      expect(versions.code).toBe(0);
      expect(versions.stdout).toMatch(/^v2\s+\d+\s+deploy\s+queued\s/m);
      const list = StackVersionListSchema.parse(await json(['stack', 'versions', String(stackId)]));
      expect(list.items.map((v) => v.number)).toEqual([2, 1]);
    });

    it('removes a stack: at once when it never ran, through the agent otherwise', async () => {
      const refused = await capstan(['stack', 'rm', String(stackId)]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('pass --yes');

      const deployed = await capstan(['stack', 'rm', String(stackId), '--yes']);
      expect(deployed.code).toBe(0);
      expect(deployed.stdout).toContain(`removing stack ${stackId}: the agent removes its containers`);

      const draft = await capstan(['stack', 'create', 'draft', '--env', String(envId), '--file', compose, '--var', 'GREETING=x']);
      const draftId = Number(/^created stack (\d+)/.exec(draft.stdout)?.[1]);
      const r = await capstan(['stack', 'rm', String(draftId), '--yes']);
      expect(r.stdout).toBe(`removed stack ${draftId}\n`);
      const gone = await capstan(['stack', 'show', String(draftId)]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('(not_found)');
    });
  });

  it('exits 2 with usage on command-line mistakes', async () => {
    const unknown = await capstan(['env', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "env frobnicate"');

    const badFlag = await capstan(['env', 'list', '--colour']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option '--colour'");
    expect(badFlag.stderr).toContain('usage: capstan env list');

    const missing = await capstan(['team', 'add-member', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing USER_ID');
  });

  it('logs out: the session ends on the server and the token is forgotten', async () => {
    const token = JSON.parse(readFileSync(configFile, 'utf8')).token as string;
    const r = await capstan(['logout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logged out');
    expect(JSON.parse(readFileSync(configFile, 'utf8')).token).toBeNull();

    const who = await capstan(['whoami']);
    expect(who.code).toBe(1);
    expect(who.stderr).toContain('(unauthenticated)');

    // The old token is dead on the server, not merely forgotten.
    const stale = path.join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ url, token, insecure: true, caFile: null }), { mode: 0o600 });
    const replay = await capstan(['whoami'], { CAPSTAN_CONFIG: stale });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('(session_revoked)');
  });

  it('stops the server on SIGTERM, passing its exit code through', async () => {
    const child = server!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

// Private registry pulls end to end, all real: Debian's docker-registry with htpasswd auth on
// 127.0.0.1 (engines treat loopback registries as insecure, so plain HTTP needs no engine flag), a
// private dockerd in the root namespace, the server, and the agent process. An image pushed with the
// docker CLI is pulled by an image.pull command with the registry definition's credentials; wrong
// or missing credentials fail the command with a message that says so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../packages/server/test/helpers/registry.ts';
import { until } from '../packages/server/test/helpers/until.ts';
import { inRootNamespace, startJoinedAgent, type JoinedAgent } from './helpers/joined-agent.ts';
import { startEngine, stopEngine, type Engine } from './rig/engine.ts';
import { loadTestImage, TEST_IMAGE } from './rig/index.ts';

const USER = 'deployer';
const PASSWORD = 'registry password for e2e';

interface Cmd {
  id: string;
  status: string;
  output: any;
  error: { code: string; message: string } | null;
}

describe('private registry pulls (real registry, engine, server and agent process)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-e2e-registries-'));
  const cgroupParent = `/capstan-rig/registries-${process.pid}`;
  let registry: RunningRegistry;
  let engine: Engine;
  let joined: JoinedAgent;
  let envId = 0;
  let registryId = 0;
  let image = '';

  const api: JoinedAgent['api'] = (p, opts) => joined.api(p, opts);
  const docker = (args: string[], input?: string) =>
    execFileSync('docker', ['--config', path.join(dir, 'docker-cli'), '-H', `unix://${engine.socket}`, ...args], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(input !== undefined ? { input } : {}),
    });
  const hasImage = (): boolean => {
    try {
      docker(['image', 'inspect', image]);
      return true;
    } catch {
      return false;
    }
  };
  const pull = async (): Promise<Cmd> => {
    const r = await api(`/api/environments/${envId}/commands`, { method: 'POST', body: { kind: 'image.pull', payload: { image } } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return until('the pull to finish', 60_000, async () => {
      const c = (await api(`/api/environments/${envId}/commands/${r.body.id as string}`)).body as Cmd;
      return ['succeeded', 'failed', 'expired'].includes(c.status) ? c : false;
    });
  };

  beforeAll(async () => {
    registry = await startRegistry({ users: { [USER]: PASSWORD } });
    engine = await startEngine(path.join(dir, 'engine'), { cgroupParent });
    await loadTestImage(engine.socket);

    // A distinct image, pushed with the CLI logged in, then removed locally so a pull must fetch it.
    image = `${registry.host}/team/app:1`;
    const ctx = path.join(dir, 'build');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${TEST_IMAGE}\nLABEL capstan.test=registries\n`);
    docker(['build', '-q', '-t', image, ctx]);
    docker(['login', '-u', USER, '--password-stdin', registry.host], PASSWORD);
    docker(['push', '-q', image]);
    docker(['logout', registry.host]);
    docker(['rmi', image]);
    expect(hasImage()).toBe(false);

    joined = await startJoinedAgent({ dir, place: inRootNamespace(engine.socket), environment: 'registry-site', config: { agentHeartbeatMs: 1_000, agentDownAfterMs: 4_000 } });
    envId = joined.envId;
  }, 180_000);

  afterAll(async () => {
    await joined?.stop();
    if (engine) stopEngine(engine, { cgroupParent });
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an anonymous pull with a message saying credentials are missing', async () => {
    const c = await pull();
    expect(c.status).toBe('failed');
    expect(c.error?.code, JSON.stringify(c.error)).toBe('registry_auth_required');
    expect(c.error?.message).toContain(`the registry ${registry.host} refused an anonymous pull`);
    expect(hasImage()).toBe(false);
  });

  it('pulls with the credentials of the registry definition, which check out', async () => {
    const created = await api('/api/registries', { method: 'POST', body: { name: 'e2e', host: registry.host, username: USER, password: PASSWORD, insecure: true } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    registryId = created.body.id;
    expect((await api(`/api/registries/${registryId}/test`, { method: 'POST' })).body).toMatchObject({ ok: true, auth: 'basic' });

    const c = await pull();
    expect(c.status, JSON.stringify(c.error)).toBe('succeeded');
    expect(c.output).toMatchObject({ image });
    expect(JSON.parse(docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', image]))).toMatchObject({ 'capstan.test': 'registries' });
  });

  it('fails with a clear message recorded on the command when the credentials are wrong', async () => {
    docker(['rmi', image]);
    const changed = await api(`/api/registries/${registryId}`, { method: 'PATCH', body: { password: 'not the password' } });
    expect(changed.status).toBe(200);
    const check = await api(`/api/registries/${registryId}/test`, { method: 'POST' });
    expect(check.status).toBe(422);
    expect(check.body.code).toBe('registry_credentials_rejected');

    const c = await pull();
    expect(c.status).toBe('failed');
    expect(c.error?.code, JSON.stringify(c.error)).toBe('registry_auth_failed');
    expect(c.error?.message).toContain(`the registry ${registry.host} refused the credentials of user "${USER}"`);
    expect(c.error?.message).not.toContain('not the password');
    expect(hasImage()).toBe(false);
  });

  it('records the refusal on the stack version when a deploy cannot pull, and deploys once the credentials are right', async () => {
    // The registry definition still holds the wrong password from the case above.
    const compose = `services:\n  app:\n    image: ${image}\n    network_mode: none\n`;
    const stack = await api('/api/stacks', { method: 'POST', body: { name: 'private-app', environmentId: envId, compose, health: { windowSeconds: 0 } } });
    expect(stack.status, JSON.stringify(stack.body)).toBe(201);
    const deploy = async (): Promise<{ status: string; reason: string | null }> => {
      const started = await api(`/api/stacks/${stack.body.id as number}/deploy`, { method: 'POST', body: { pull: 'always' } });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      return until('the deploy to finish', 90_000, async () => {
        const v = (await api(`/api/stacks/${stack.body.id as number}/versions/${started.body.id as number}`)).body as { status: string; reason: string | null };
        return ['deployed', 'failed', 'rolled_back'].includes(v.status) ? v : false;
      });
    };

    const refused = await deploy();
    expect(refused.status).toBe('failed');
    expect(refused.reason).toContain(`the registry ${registry.host} refused the credentials of user "${USER}"`);
    expect(refused.reason).not.toContain('not the password');

    expect((await api(`/api/registries/${registryId}`, { method: 'PATCH', body: { password: PASSWORD } })).status).toBe(200);
    const deployed = await deploy();
    expect(deployed, JSON.stringify(deployed)).toMatchObject({ status: 'deployed' });
    expect(hasImage()).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDockerHost } from './docker-host.ts';
import { parseOptions } from './options.ts';

const user = { isRoot: false, homeDir: '/home/op' };

describe('parseOptions', () => {
  it('fills defaults for an enrolled agent', () => {
    const r = parseOptions([], {}, user);
    expect(r).toEqual({
      ok: true,
      options: {
        server: undefined,
        joinToken: undefined,
        stateDir: '/home/op/.capstan-agent',
        docker: { kind: 'unix', socketPath: '/var/run/docker.sock' },
        insecure: false,
        caFile: undefined,
        logLevel: 'info',
        resyncIntervalMs: 300_000,
      },
    });
  });

  it('uses /var/lib/capstan-agent as root and DOCKER_HOST from the environment', () => {
    const r = parseOptions(['--server', 'https://cp.example:9443'], { DOCKER_HOST: 'tcp://10.0.0.2:2375' }, { isRoot: true, homeDir: '/root' });
    expect(r.ok && r.options.stateDir).toBe('/var/lib/capstan-agent');
    expect(r.ok && r.options.docker).toEqual({ kind: 'tcp', host: '10.0.0.2', port: 2375 });
    expect(r.ok && r.options.server?.href).toBe('https://cp.example:9443/');
  });

  it('takes the state directory from CAPSTAN_AGENT_STATE_DIR unless --state-dir is given', () => {
    const env = { CAPSTAN_AGENT_STATE_DIR: '/srv/agent-state' };
    expect(((r) => r.ok && r.options.stateDir)(parseOptions([], env, { isRoot: true, homeDir: '/root' }))).toBe('/srv/agent-state');
    expect(((r) => r.ok && r.options.stateDir)(parseOptions(['--state-dir', '/x'], env, user))).toBe('/x');
    expect(((r) => r.ok && r.options.stateDir)(parseOptions([], { CAPSTAN_AGENT_STATE_DIR: '' }, user))).toBe('/home/op/.capstan-agent');
  });

  it('accepts --name=value and lets --docker-host win over DOCKER_HOST', () => {
    const r = parseOptions(['--docker-host=unix:///run/d.sock', '--insecure', '--log-level=debug'], { DOCKER_HOST: 'tcp://h:1' }, user);
    expect(r.ok && r.options.docker).toEqual({ kind: 'unix', socketPath: '/run/d.sock' });
    expect(r.ok && r.options.insecure).toBe(true);
    expect(r.ok && r.options.logLevel).toBe('debug');
  });

  it('reports every problem at once', () => {
    const r = parseOptions(['--server', 'http://x', '--join-token', '--insecure', '--ca-file', 'ca.pem', '--nope', '--log-level', 'loud'], {}, user);
    expect(r.ok).toBe(false);
    if (r.ok || r.help) throw new Error('expected errors');
    expect(r.errors).toEqual([
      '--join-token needs a value',
      'unknown option "--nope"',
      '--server must be an https:// URL, got "http://x"',
      '--insecure and --ca-file exclude each other',
      '--log-level must be one of error, warn, info, debug',
    ]);
  });

  it('needs --server with --join-token and spots repeated options', () => {
    const r = parseOptions(['--join-token', 'cjt_x', '--state-dir', 'a', '--state-dir', 'b'], {}, user);
    expect(!r.ok && !r.help && r.errors).toEqual(['--state-dir given twice', '--join-token needs --server']);
  });

  it('reads --resync-interval as a bounded duration', () => {
    expect(((r) => r.ok && r.options.resyncIntervalMs)(parseOptions(['--resync-interval', '90s'], {}, user))).toBe(90_000);
    expect(((r) => r.ok && r.options.resyncIntervalMs)(parseOptions(['--resync-interval=2m'], {}, user))).toBe(120_000);
    expect(((r) => r.ok && r.options.resyncIntervalMs)(parseOptions(['--resync-interval', '30'], {}, user))).toBe(30_000);
    for (const bad of ['5', '25h', 'soon', '1.5m']) {
      const r = parseOptions(['--resync-interval', bad], {}, user);
      expect(!r.ok && !r.help && r.errors, bad).toEqual(['--resync-interval must be a duration from 10s to 24h, like 90s, 5m or 1h']);
    }
  });

  it('reads --mode, leaving it undefined when not given (the server or the state dir decides then)', () => {
    expect(((r) => r.ok && r.options.mode)(parseOptions([], {}, user))).toBeUndefined();
    expect(((r) => r.ok && r.options.mode)(parseOptions(['--mode', 'async'], {}, user))).toBe('async');
    expect(((r) => r.ok && r.options.mode)(parseOptions(['--mode=standard'], {}, user))).toBe('standard');
    const bad = parseOptions(['--mode', 'polling'], {}, user);
    expect(!bad.ok && !bad.help && bad.errors).toEqual(['--mode must be one of standard, async']);
    const missing = parseOptions(['--mode'], {}, user);
    expect(!missing.ok && !missing.help && missing.errors).toEqual(['--mode needs a value']);
  });

  it('answers --help', () => {
    expect(parseOptions(['--help'], {}, user)).toEqual({ ok: false, help: true });
  });
});

describe('parseDockerHost', () => {
  it('reads the forms docker tools accept', () => {
    expect(parseDockerHost('unix:///var/run/docker.sock')).toEqual({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(parseDockerHost('/tmp/d.sock')).toEqual({ kind: 'unix', socketPath: '/tmp/d.sock' });
    expect(parseDockerHost('tcp://127.0.0.1:2376')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2376 });
    expect(parseDockerHost('tcp://[::1]')).toEqual({ kind: 'tcp', host: '::1', port: 2375 });
  });
  it('refuses others with a message', () => {
    expect(parseDockerHost('ssh://me@host')).toMatch(/not supported/);
    expect(parseDockerHost('unix://relative.sock')).toMatch(/absolute/);
    expect(parseDockerHost('tcp://h:1/path')).toMatch(/path/);
  });
});

import { COMPOSE_LABEL, CAPSTAN_LABEL, parseServiceConfig } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { network, project, service, volume } from '../../../protocol/src/stacks/fixtures.test-util.ts';
import { bindSource, carriedVolumes, containerCreate, networkCreate, portBindings, restartPolicy, volumeCreate, volumeMountsOf } from './container-spec.ts';
import type { FileMounts } from './stack-files.ts';

const files: FileMounts = { path: (kind, source, mode) => `/state/stacks/p/${kind}s/${source}${mode === null ? '' : `.${mode.toString(8)}`}` };
const origin = { stackId: 7, versionId: 3, workingDir: '/state/stacks/p/work' };

describe('containerCreate', () => {
  it('maps every service field to the Engine API create body', () => {
    const web = service('web', 'nginx:1', {
      command: ['nginx', '-g', 'daemon off;'],
      entrypoint: ['/entry'],
      environment: { A: '1', UNSET: null },
      ports: [
        { target: 80, targetEnd: 80, published: '8080', hostIp: '127.0.0.1', protocol: 'tcp' },
        { target: 9000, targetEnd: 9001, published: '19000-19001', hostIp: null, protocol: 'udp' },
        { target: 443, targetEnd: 443, published: null, hostIp: null, protocol: 'tcp' },
      ],
      expose: ['7000/tcp'],
      mounts: [
        { type: 'bind', source: './html', target: '/usr/share/nginx/html', readOnly: true, createHostPath: true, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null },
        { type: 'bind', source: '/etc/ssl', target: '/ssl', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: 'rshared' },
        { type: 'volume', source: 'cache', target: '/cache', readOnly: false, createHostPath: false, noCopy: true, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null },
        { type: 'volume', source: null, target: '/anon', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null },
        { type: 'tmpfs', source: null, target: '/run', readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: 1024, tmpfsMode: 0o755, propagation: null },
      ],
      networks: { front: { aliases: ['www'], ipv4Address: '10.5.0.9', ipv6Address: null }, back: { aliases: [], ipv4Address: null, ipv6Address: null } },
      healthcheck: { test: ['CMD', 'true'], intervalMs: 1000, timeoutMs: 500, startPeriodMs: 2000, retries: 3 },
      restart: 'on-failure:5',
      labels: { mine: 'x', [COMPOSE_LABEL.project]: 'spoofed' },
      user: '101:101',
      workingDir: '/srv',
      hostname: 'web1',
      extraHosts: ['db:10.0.0.2'],
      dns: ['9.9.9.9'],
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      privileged: false,
      ulimits: { nofile: { soft: 1024, hard: 2048 } },
      logging: { driver: 'json-file', options: { 'max-size': '1m' } },
      limits: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024, pids: 100 },
      reservations: { cpus: null, memoryBytes: 32 * 1024 * 1024, pids: null },
      readOnly: true,
      stopGracePeriodMs: 1500,
      stopSignal: 'SIGQUIT',
      init: true,
      shmSizeBytes: 1 << 20,
      sysctls: { 'net.core.somaxconn': '1024' },
      tty: true,
      stdinOpen: true,
      secrets: [{ source: 'key', target: '/run/secrets/key', mode: null }],
      configs: [{ source: 'site', target: '/etc/site.conf', mode: 0o444 }],
    });
    const p = project('p', [web], {
      networks: { front: network('p', 'front'), back: network('p', 'back', { name: 'shared-back' }) },
      volumes: { cache: { name: 'p_cache', external: false, driver: null, driverOpts: {}, labels: {} } },
    });
    const { name, body, extraNetworks } = containerCreate({ project: p, service: web, number: 2, image: 'nginx@sha256:abc', origin, files, homeDir: '/home/agent' });
    expect(name).toBe('p_web_2');
    expect(body).toMatchObject({
      Image: 'nginx@sha256:abc',
      Cmd: ['nginx', '-g', 'daemon off;'],
      Entrypoint: ['/entry'],
      // A variable without a value goes as the bare name: the engine unsets it (docker-compose 1.29 does the same).
      Env: ['A=1', 'UNSET'],
      ExposedPorts: { '80/tcp': {}, '9000/udp': {}, '9001/udp': {}, '443/tcp': {}, '7000/tcp': {} },
      User: '101:101',
      WorkingDir: '/srv',
      Hostname: 'web1',
      StopSignal: 'SIGQUIT',
      StopTimeout: 2,
      Tty: true,
      OpenStdin: true,
      Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9, Timeout: 5e8, StartPeriod: 2e9, Retries: 3 },
      HostConfig: {
        Binds: ['/state/stacks/p/work/html:/usr/share/nginx/html:ro'],
        Mounts: [
          { Type: 'bind', Source: '/etc/ssl', Target: '/ssl', ReadOnly: false, BindOptions: { Propagation: 'rshared' } },
          { Type: 'volume', Source: 'p_cache', Target: '/cache', ReadOnly: false, VolumeOptions: { NoCopy: true } },
          { Type: 'volume', Target: '/anon', ReadOnly: false },
          { Type: 'tmpfs', Target: '/run', ReadOnly: false, TmpfsOptions: { SizeBytes: 1024, Mode: 0o755 } },
          // Secrets and configs: read-only binds of the agent's copies, as docker-compose 1.29 mounts file secrets.
          { Type: 'bind', Source: '/state/stacks/p/secrets/key', Target: '/run/secrets/key', ReadOnly: true },
          { Type: 'bind', Source: '/state/stacks/p/configs/site.444', Target: '/etc/site.conf', ReadOnly: true },
        ],
        PortBindings: {
          '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
          '9000/udp': [{ HostIp: '', HostPort: '19000' }],
          '9001/udp': [{ HostIp: '', HostPort: '19001' }],
          '443/tcp': [{ HostIp: '', HostPort: '' }],
        },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
        NetworkMode: 'shared-back',
        NanoCpus: 500_000_000,
        Memory: 64 * 1024 * 1024,
        PidsLimit: 100,
        MemoryReservation: 32 * 1024 * 1024,
        Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['ALL'],
        Privileged: false,
        ReadonlyRootfs: true,
        Init: true,
        ShmSize: 1 << 20,
        Sysctls: { 'net.core.somaxconn': '1024' },
        ExtraHosts: ['db:10.0.0.2'],
        Dns: ['9.9.9.9'],
      },
      // Networks by key order: back first (engine name shared-back), front connected after creation.
      NetworkingConfig: { EndpointsConfig: { 'shared-back': { Aliases: ['web'] } } },
    });
    expect(extraNetworks).toEqual([{ network: 'p_front', endpoint: { Aliases: ['web', 'www'], IPAMConfig: { IPv4Address: '10.5.0.9' } } }]);
    const labels = body.Labels as Record<string, string>;
    // Compose's labels win over a user label of the same name.
    expect(labels).toMatchObject({
      mine: 'x',
      [COMPOSE_LABEL.project]: 'p',
      [COMPOSE_LABEL.service]: 'web',
      [COMPOSE_LABEL.containerNumber]: '2',
      [COMPOSE_LABEL.oneoff]: 'False',
      [COMPOSE_LABEL.workingDir]: '/state/stacks/p/work',
      [CAPSTAN_LABEL.stackId]: '7',
      [CAPSTAN_LABEL.stackVersion]: '3',
    });
    expect(parseServiceConfig(labels[CAPSTAN_LABEL.serviceConfig])).toMatchObject({ image: 'nginx:1', user: '101:101' });
    expect(labels[CAPSTAN_LABEL.serviceConfig]).not.toContain('A=1');
  });

  it('uses container_name, network_mode and service:x modes without project networks', () => {
    const db = service('db', 'pg', { containerName: 'the-db' });
    const side = service('side', 'x', { networkMode: 'service:db', networks: {} });
    const host = service('h', 'x', { networkMode: 'host', networks: {} });
    const p = project('p', [db, side, host]);
    expect(containerCreate({ project: p, service: db, number: 1, image: 'pg', origin, files, homeDir: '/home/agent' }).name).toBe('the-db');
    const s = containerCreate({ project: p, service: side, number: 1, image: 'x', origin, files, homeDir: '/home/agent' });
    expect(s.body.HostConfig).toMatchObject({ NetworkMode: 'container:the-db' });
    expect(s.body.NetworkingConfig).toBeUndefined();
    expect(containerCreate({ project: p, service: host, number: 1, image: 'x', origin, files, homeDir: '/home/agent' }).body.HostConfig).toMatchObject({ NetworkMode: 'host' });
  });
});

describe('volumes carried over a recreation', () => {
  const anon = (target: string) => ({ type: 'volume' as const, source: null, target, readOnly: false, createHostPath: false, noCopy: false, tmpfsSizeBytes: null, tmpfsMode: null, propagation: null });
  const hex = (c: string) => c.repeat(64);

  it('reads the named volume mounts of an inspect answer', () => {
    const inspect = {
      Mounts: [
        { Type: 'volume', Name: hex('a'), Destination: '/data', Driver: 'local' },
        { Type: 'bind', Source: '/srv', Destination: '/srv' },
        { Type: 'tmpfs', Destination: '/run' },
        { Type: 'volume', Name: 'p_cache', Destination: '/cache' },
      ],
    };
    expect(volumeMountsOf(inspect)).toEqual([
      { name: hex('a'), target: '/data' },
      { name: 'p_cache', target: '/cache' },
    ]);
    expect(volumeMountsOf({})).toEqual([]);
  });

  it('keeps anonymous volumes at the service\'s anonymous paths and at uncovered image VOLUMEs; never named ones', () => {
    const web = service('web', 'x', {
      mounts: [anon('/data'), { ...anon('/cache'), source: 'cache' }, { ...anon('/tmp/t'), type: 'tmpfs' }],
      secrets: [{ source: 's', target: '/run/secrets/s', mode: null }],
    });
    const p = project('p', [web], { volumes: { cache: volume('p', 'cache'), ext: volume('p', 'ext', { name: hex('e'), external: true }) } });
    const previous = [
      { name: hex('a'), target: '/data' },
      { name: 'p_cache', target: '/cache' },
      { name: hex('b'), target: '/var/lib/image-vol' },
      { name: hex('c'), target: '/dropped' },
      { name: hex('d'), target: '/tmp/t' },
      { name: hex('e'), target: '/ext' },
      { name: 'someones-named', target: '/named' },
    ];
    const imageVolumes = ['/var/lib/image-vol', '/tmp/t', '/ext', '/named'];
    expect(carriedVolumes(previous, p, web, imageVolumes)).toEqual({ '/data': hex('a'), '/var/lib/image-vol': hex('b') });
    // The create body mounts them again: the service's at its own mount, the image's as an extra volume mount.
    const body = containerCreate({ project: p, service: web, number: 1, image: 'x', origin, files, homeDir: '/h', carried: carriedVolumes(previous, p, web, imageVolumes) }).body;
    const mounts = (body.HostConfig as { Mounts: Array<Record<string, unknown>> }).Mounts;
    expect(mounts.filter((m) => m.Type === 'volume')).toEqual([
      { Type: 'volume', Source: hex('a'), Target: '/data', ReadOnly: false },
      { Type: 'volume', Source: 'p_cache', Target: '/cache', ReadOnly: false },
      { Type: 'volume', Source: hex('b'), Target: '/var/lib/image-vol', ReadOnly: false },
    ]);
    // Without carried volumes the anonymous mount has no source: the engine makes a fresh one.
    const fresh = (containerCreate({ project: p, service: web, number: 2, image: 'x', origin, files, homeDir: '/h' }).body.HostConfig as { Mounts: Array<Record<string, unknown>> }).Mounts;
    expect(fresh.find((m) => m.Target === '/data')).toEqual({ Type: 'volume', Target: '/data', ReadOnly: false });
  });
});

describe('small mappings', () => {
  it('bind sources: absolute, relative to the working directory, ~ under the home directory', () => {
    expect(bindSource('/srv/x', '/w', '/home/a')).toBe('/srv/x');
    expect(bindSource('./data', '/w/work', '/home/a')).toBe('/w/work/data');
    expect(bindSource('../sibling', '/w/work', '/home/a')).toBe('/w/sibling');
    expect(bindSource('~/notes', '/w', '/home/a')).toBe('/home/a/notes');
    expect(bindSource('~', '/w', '/home/a')).toBe('/home/a');
  });

  it('restart policies and port ranges', () => {
    expect(restartPolicy('no')).toEqual({ Name: 'no' });
    expect(restartPolicy('unless-stopped')).toEqual({ Name: 'unless-stopped' });
    expect(restartPolicy('on-failure')).toEqual({ Name: 'on-failure', MaximumRetryCount: 0 });
    // One container port on a host range: the engine picks a free one from it.
    expect(portBindings([{ target: 80, targetEnd: 80, published: '8000-8010', hostIp: null, protocol: 'tcp' }]).bindings).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }] });
  });

  it('network create bodies carry the driver, IPAM and labels', () => {
    const p = project('p', [], { networks: { n: network('p', 'n', { driver: 'bridge', internal: true, ipam: { driver: null, config: [{ subnet: '10.9.0.0/24', gateway: null, ipRange: null }] } }) } });
    expect(networkCreate(p, 'n', { l: '1' })).toEqual({
      Name: 'p_n',
      CheckDuplicate: true,
      Driver: 'bridge',
      Options: {},
      Internal: true,
      // Always, like docker-compose 1.29: containers may only join an overlay network that is attachable.
      Attachable: true,
      EnableIPv6: false,
      IPAM: { Config: [{ Subnet: '10.9.0.0/24' }] },
      Labels: { l: '1' },
    });
  });

  it('volume create bodies leave out empty driver options; a repeated alias is sent once', () => {
    const p = project('p', [], { volumes: { a: volume('p', 'a'), b: volume('p', 'b', { driver: 'local', driverOpts: { type: 'tmpfs' } }) } });
    expect(volumeCreate(p, 'a', {})).toEqual({ Name: 'p_a', Labels: {} });
    expect(volumeCreate(p, 'b', {})).toEqual({ Name: 'p_b', Driver: 'local', DriverOpts: { type: 'tmpfs' }, Labels: {} });
    const web = service('web', 'x', { networks: { default: { aliases: ['web', 'www'], ipv4Address: null, ipv6Address: null } } });
    const body = containerCreate({ project: project('p', [web]), service: web, number: 1, image: 'x', origin, files, homeDir: '/h' }).body;
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { p_default: { Aliases: ['web', 'www'] } } });
  });
});

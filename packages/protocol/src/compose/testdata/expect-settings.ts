// Expected normalizations of the valid corpus, part 2 (see valid-corpus.test.ts).
import { expect } from 'vitest';
import { MiB, svc, type Expectation } from './expect-helpers.ts';

export const EXPECT_SETTINGS: Record<string, Expectation> = {
  interpolation: {
    check: (p) => {
      const app = svc(p, 'app');
      expect(app.image).toBe('capstan-test/busybox:latest');
      expect(app.command).toEqual(['sh', '-c', 'echo $HOME && sleep 3600']);
      expect(app.ports[0]).toMatchObject({ target: 80, published: '8081' });
      expect(app.environment).toEqual({
        APP_ENV: 'production',
        DB_URL: 'postgres://app user@db:5432/app',
        EMPTY_DEFAULT: 'fallback',
        GREETING: 'hello',
        LITERAL: 'cost: $5',
      });
      expect(app.labels).toEqual({ 'com.example.release': '2024.1 # not a comment' });
    },
  },
  'env-files': {
    check: (p) => {
      expect(svc(p, 'app').environment).toEqual({
        CACHE_URL: 'redis://cache:6379/0',
        FROM_DOTENV: 'from-dotenv',
        MODE: 'override',
        NOT_SET_ANYWHERE: null,
        QUOTED: 'line one\nline two',
        SINGLE: 'kept $as is',
      });
      expect(svc(p, 'worker').environment).toMatchObject({ MODE: 'worker', CONCURRENCY: '4' });
    },
  },
  ports: {
    check: (p) => {
      const e = svc(p, 'edge');
      const row = (
        target: number,
        targetEnd: number,
        published: string | null,
        hostIp: string | null,
        protocol: string,
      ): object => ({ target, targetEnd, published, hostIp, protocol });
      expect(e.ports).toEqual([
        row(80, 80, null, null, 'tcp'),
        row(80, 80, '8080', null, 'tcp'),
        row(443, 443, '8443', '127.0.0.1', 'tcp'),
        row(9000, 9000, null, '127.0.0.1', 'tcp'),
        row(53, 53, '5353', null, 'udp'),
        row(7000, 7002, '7000-7002', null, 'tcp'),
        row(9100, 9100, '9100-9110', null, 'tcp'),
        row(8081, 8081, '18081', null, 'tcp'),
        row(9999, 9999, null, null, 'tcp'),
      ]);
      expect(e.expose).toEqual(['3000/tcp', '4000/tcp', '5000/udp']);
    },
  },
  'command-forms': {
    check: (p) => {
      expect(svc(p, 'quoted').command).toEqual(['sh', '-c', 'echo "hello world" && sleep 3600']);
      expect(svc(p, 'escaped').command).toEqual(['echo', 'one word', 'two "quoted" words', '', 'end']);
      expect(svc(p, 'entry').entrypoint).toEqual(['/bin/sh', '-c']);
      expect(svc(p, 'entry').command).toEqual(['sleep 3600']);
      expect(svc(p, 'cleared').entrypoint).toEqual([]);
      expect(svc(p, 'folded').command).toEqual(['sh', '-c', 'while true; do sleep 60; done']);
      expect(svc(p, 'folded').entrypoint).toBeNull();
    },
  },
  'network-mode': {
    check: (p) => {
      expect(svc(p, 'behind-vpn').networkMode).toBe('service:vpn');
      expect(svc(p, 'behind-vpn').networks).toEqual({});
      expect(svc(p, 'behind-vpn').dependsOn).toEqual({
        vpn: { condition: 'service_started', restart: false },
      });
      expect(svc(p, 'host-agent').networkMode).toBe('host');
      expect(svc(p, 'isolated').networkMode).toBe('none');
      expect(svc(p, 'vpn').capAdd).toEqual(['NET_ADMIN']);
      expect(Object.keys(p.networks)).toEqual(['default']);
    },
  },
  'logging-hosts': {
    check: (p) => {
      const app = svc(p, 'app');
      expect(app.hostname).toBe('app01');
      expect(app.domainname).toBe('example.internal');
      expect(app.dns).toEqual(['1.1.1.1', '9.9.9.9']);
      expect(app.extraHosts).toEqual([
        'db.local:10.0.0.5',
        'host.docker.internal:host-gateway',
        'v6host:::1',
      ]);
      expect(app.labels).toEqual({ 'com.example.oncall': '', 'com.example.team': 'payments' });
      expect(app.logging).toEqual({
        driver: 'json-file',
        options: { compress: 'true', 'max-file': '5', 'max-size': '10m' },
      });
      const s = svc(p, 'syslogged');
      expect(s.dns).toEqual(['8.8.8.8']);
      expect(s.extraHosts).toEqual(['api.local:10.0.0.6']);
      expect(s.labels).toEqual({ 'com.example.empty': '', 'com.example.version': '2' });
      expect(s.logging).toEqual({ driver: 'none', options: {} });
    },
  },
  security: {
    check: (p) => {
      const h = svc(p, 'hardened');
      expect(h).toMatchObject({
        user: '1000:1000',
        readOnly: true,
        init: true,
        capDrop: ['ALL'],
        capAdd: ['NET_BIND_SERVICE'],
        stopSignal: 'SIGINT',
        stopGracePeriodMs: 90_000,
        workingDir: '/srv',
      });
      expect(h.sysctls).toEqual({ 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' });
      const t = svc(p, 'privileged-tool');
      expect(t).toMatchObject({
        privileged: true,
        user: 'root',
        tty: true,
        stdinOpen: true,
        init: false,
        stopGracePeriodMs: 5000,
      });
      expect(t.sysctls).toEqual({ 'net.ipv4.ip_forward': '1' });
    },
  },
  replicas: {
    check: (p) => {
      expect(svc(p, 'web')).toMatchObject({ replicas: 3, restart: 'on-failure:5' });
      expect(svc(p, 'scaled')).toMatchObject({ replicas: 2, restart: 'no' });
      expect(svc(p, 'always')).toMatchObject({ replicas: 1, restart: 'always' });
      expect(svc(p, 'paused').replicas).toBe(0);
    },
  },
  workers: {
    check: (p) => {
      expect(svc(p, 'worker')).toMatchObject({
        workingDir: '/app',
        restart: 'on-failure:3',
        command: ['sh', '-c', 'while true; do sleep 30; done'],
      });
      expect(svc(p, 'scheduler').dependsOn).toEqual({
        redis: { condition: 'service_healthy', restart: false },
        worker: { condition: 'service_started', restart: false },
      });
      expect(svc(p, 'console')).toMatchObject({ tty: true, stdinOpen: true, command: ['sh'] });
      expect(p.volumes['redis-data']?.name).toBe('workers_redis-data');
    },
  },
  'reverse-proxy': {
    check: (p) => {
      expect(svc(p, 'proxy')).toMatchObject({ containerName: 'edge-proxy', pullPolicy: 'always' });
      expect(svc(p, 'whoami').pullPolicy).toBe('never');
      expect(svc(p, 'whoami').labels['traefik.http.routers.whoami.rule']).toBe('Host(`whoami.example.com`)');
      expect(svc(p, 'proxy').mounts[1]).toMatchObject({
        type: 'bind',
        source: './certs',
        target: '/certs',
        readOnly: true,
      });
      expect(p.networks.web).toMatchObject({ name: 'proxy-web', driver: 'bridge', attachable: true });
      expect(p.networks.default).toBeUndefined();
    },
  },
  'bind-long': {
    check: (p) => {
      const m = svc(p, 'app').mounts;
      expect(m[0]).toEqual({
        type: 'bind',
        source: './data',
        target: '/data',
        readOnly: false,
        createHostPath: false,
        noCopy: false,
        tmpfsSizeBytes: null,
        tmpfsMode: null,
        propagation: null,
      });
      expect(m[1]).toMatchObject({
        type: 'bind',
        source: '/srv/shared',
        readOnly: true,
        propagation: 'rshared',
      });
      expect(m[2]).toMatchObject({ type: 'volume', source: 'cache', noCopy: true });
      expect(m[3]).toMatchObject({ type: 'volume', source: null, target: '/anonymous' });
      expect(m[4]).toMatchObject({
        type: 'bind',
        source: '../sibling/config',
        target: '/config',
        readOnly: true,
        createHostPath: true,
      });
      expect(m[5]).toMatchObject({ type: 'bind', source: '~/notes', target: '/notes' });
      expect(m[6]).toMatchObject({
        type: 'bind',
        source: '/var/lib/app',
        readOnly: false,
        propagation: 'rslave',
      });
    },
  },
  'legacy-v2': {
    warnings: ['links are not needed'],
    check: (p) => {
      const app = svc(p, 'app');
      expect(app.limits).toEqual({ cpus: 0.75, memoryBytes: 256 * MiB, pids: null });
      expect(app.reservations.memoryBytes).toBe(64 * MiB);
      expect(app.dependsOn).toEqual({ cache: { condition: 'service_started', restart: false } });
      expect(app.ports[0]).toMatchObject({ target: 8080, published: '8080' });
      expect(svc(p, 'cache').replicas).toBe(1);
    },
  },
};

// Expected normalizations of the valid corpus, part 1 (see valid-corpus.test.ts).
import { expect } from 'vitest';
import { b64, MiB, svc, type Expectation } from './expect-helpers.ts';

export const EXPECT_STACKS: Record<string, Expectation> = {
  'web-db': {
    check: (p) => {
      expect(Object.keys(p.services)).toEqual(['db', 'web']);
      expect(svc(p, 'web').command).toEqual(['httpd', '-f', '-p', '8080', '-h', '/www']);
      expect(svc(p, 'web').ports).toEqual([
        { target: 8080, targetEnd: 8080, published: '8080', hostIp: null, protocol: 'tcp' },
      ]);
      expect(svc(p, 'web').dependsOn).toEqual({ db: { condition: 'service_healthy', restart: false } });
      expect(svc(p, 'db').healthcheck).toEqual({
        test: ['CMD-SHELL', 'test -d /var/lib/postgresql/data'],
        intervalMs: 10_000,
        timeoutMs: 5000,
        startPeriodMs: null,
        retries: 5,
      });
      expect(svc(p, 'db').mounts[0]).toMatchObject({
        type: 'volume',
        source: 'db-data',
        target: '/var/lib/postgresql/data',
        readOnly: false,
      });
      expect(p.volumes['db-data']).toEqual({
        name: 'web-db_db-data',
        external: false,
        driver: null,
        driverOpts: {},
        labels: {},
      });
      expect(Object.keys(p.networks)).toEqual(['default']);
      expect(p.networks.default).toMatchObject({ name: 'web-db_default', external: false });
      expect(svc(p, 'web').networks).toEqual({
        default: { aliases: [], ipv4Address: null, ipv6Address: null },
      });
    },
  },
  wordpress: {
    check: (p) => {
      const wp = svc(p, 'wordpress');
      expect(wp.environment.WORDPRESS_TABLE_PREFIX).toBeNull();
      expect(wp.environment.WORDPRESS_DB_HOST).toBe('mysql:3306');
      expect(Object.keys(wp.environment)).toEqual([...Object.keys(wp.environment)].sort());
      expect(wp.ports[0]).toMatchObject({ target: 80, published: '8000' });
      expect(wp.mounts[1]).toMatchObject({
        type: 'bind',
        source: './uploads.ini',
        readOnly: true,
        createHostPath: true,
      });
      expect(wp.secrets).toEqual([{ source: 'db_password', target: '/run/secrets/db_password', mode: null }]);
      expect(wp.dependsOn).toEqual({ mysql: { condition: 'service_started', restart: false } });
      expect(wp.restart).toBe('always');
      expect(svc(p, 'mysql').environment.MYSQL_RANDOM_ROOT_PASSWORD).toBe('1');
      expect(p.secrets.db_password).toEqual({ contentBase64: b64('correct-horse-battery-staple\n') });
    },
  },
  monitoring: {
    check: (p) => {
      const prom = svc(p, 'prometheus');
      expect(prom.user).toBe('65534');
      expect(prom.command).toEqual(['sleep', '3600']);
      expect(prom.configs).toEqual([
        { source: 'prometheus_config', target: '/etc/prometheus/prometheus.yml', mode: null },
      ]);
      expect(Object.keys(prom.networks)).toEqual(['back', 'front']);
      expect(p.networks.back).toMatchObject({ name: 'monitoring_back', internal: true });
      expect(p.networks.default).toBeUndefined();
      expect(Buffer.from(p.configs.prometheus_config?.contentBase64 ?? '', 'base64').toString()).toContain(
        'scrape_interval: 15s',
      );
      expect(svc(p, 'node-exporter').mounts.map((m) => [m.source, m.target, m.readOnly])).toEqual([
        ['/proc', '/host/proc', true],
        ['/sys', '/host/sys', true],
      ]);
      expect(svc(p, 'grafana').environment.GF_USERS_ALLOW_SIGN_UP).toBe('false');
    },
  },
  healthchecks: {
    check: (p) => {
      expect(svc(p, 'shell-string').healthcheck).toEqual({
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/ || exit 1'],
        intervalMs: 90_000,
        timeoutMs: 10_000,
        startPeriodMs: 40_000,
        retries: 3,
      });
      expect(svc(p, 'exec-list').healthcheck).toMatchObject({
        test: ['CMD', 'test', '-f', '/etc/hostname'],
        intervalMs: 500,
        timeoutMs: 2000,
      });
      expect(svc(p, 'shell-list').healthcheck?.intervalMs).toBe(3_723_000);
      expect(svc(p, 'disabled').healthcheck?.test).toEqual(['NONE']);
      expect(svc(p, 'none-test').healthcheck?.test).toEqual(['NONE']);
      expect(svc(p, 'waits').dependsOn).toEqual({
        'exec-list': { condition: 'service_started', restart: false },
        'init-job': { condition: 'service_completed_successfully', restart: false },
        'shell-string': { condition: 'service_healthy', restart: false },
      });
      expect(svc(p, 'init-job').restart).toBe('no');
      expect(svc(p, 'init-job').command).toEqual(['sh', '-c', 'echo migrated']);
    },
  },
  limits: {
    check: (p) => {
      expect(svc(p, 'api').limits).toEqual({ cpus: 0.5, memoryBytes: 512 * MiB, pids: 200 });
      expect(svc(p, 'api').reservations).toEqual({ cpus: null, memoryBytes: 128 * MiB, pids: null });
      expect(svc(p, 'api').ulimits).toEqual({
        nofile: { soft: 20000, hard: 40000 },
        nproc: { soft: 65535, hard: 65535 },
      });
      expect(svc(p, 'api').shmSizeBytes).toBe(256 * MiB);
      expect(svc(p, 'worker').limits).toEqual({ cpus: 1.5, memoryBytes: 1024 * MiB, pids: null });
      expect(svc(p, 'worker').reservations).toEqual({ cpus: 0.25, memoryBytes: 64 * MiB, pids: null });
      expect(svc(p, 'worker').ulimits.memlock).toEqual({ soft: -1, hard: -1 });
      expect(svc(p, 'worker').shmSizeBytes).toBe(64 * MiB);
    },
  },
  tmpfs: {
    check: (p) => {
      const app = svc(p, 'readonly-app');
      expect(app.readOnly).toBe(true);
      expect(app.mounts.map((m) => [m.type, m.target, m.tmpfsSizeBytes])).toEqual([
        ['tmpfs', '/tmp', null],
        ['tmpfs', '/run', 64 * MiB],
        ['tmpfs', '/var/cache/app', 100_000_000],
      ]);
      expect(svc(p, 'single').mounts).toEqual([
        {
          type: 'tmpfs',
          source: null,
          target: '/scratch',
          readOnly: false,
          createHostPath: false,
          noCopy: false,
          tmpfsSizeBytes: null,
          tmpfsMode: null,
          propagation: null,
        },
      ]);
    },
  },
  secrets: {
    check: (p) => {
      const app = svc(p, 'app');
      expect(app.secrets).toEqual([
        { source: 'api_key', target: '/run/secrets/api_key', mode: null },
        { source: 'tls_cert', target: '/run/secrets/server.crt', mode: null },
        { source: 'tls_key', target: '/etc/ssl/private/server.key', mode: 0o400 },
      ]);
      expect(app.configs).toEqual([
        { source: 'app_config', target: '/app_config', mode: null },
        { source: 'app_config', target: '/etc/app/app.conf', mode: null },
      ]);
      expect(p.secrets.api_key).toEqual({ contentBase64: b64('k-123456\n') });
      expect(Object.keys(p.secrets)).toEqual(['api_key', 'tls_cert', 'tls_key']);
      expect(p.configs.app_config).toEqual({ contentBase64: b64('listen = 8080\nworkers = 4\n') });
    },
  },
  profiles: {
    check: (p) => {
      expect(Object.keys(p.services)).toEqual(['app', 'db']);
      expect(svc(p, 'app').dependsOn).toEqual({ db: { condition: 'service_started', restart: false } });
    },
  },
  'external-networks': {
    warnings: ['network "shared" is not used'],
    check: (p) => {
      expect(p.networks.proxy).toMatchObject({ name: 'traefik_proxy', external: true });
      expect(p.networks.backend).toMatchObject({
        name: 'external-networks_backend',
        driver: 'bridge',
        ipam: { driver: null, config: [{ subnet: '172.28.0.0/16', gateway: '172.28.0.1', ipRange: null }] },
        labels: { 'com.example.tier': 'backend' },
      });
      expect(p.networks.shared).toBeUndefined();
      expect(svc(p, 'app').networks).toEqual({
        backend: { aliases: [], ipv4Address: '172.28.5.10', ipv6Address: null },
        proxy: { aliases: ['app.internal', 'app'], ipv4Address: null, ipv6Address: null },
      });
    },
  },
  'external-volumes': {
    check: (p) => {
      expect(p.volumes.media).toEqual({
        name: 'media',
        external: true,
        driver: null,
        driverOpts: {},
        labels: {},
      });
      expect(p.volumes['legacy-data']).toMatchObject({ name: 'old_project_data', external: true });
      expect(p.volumes['nfs-share']).toMatchObject({
        name: 'external-volumes_nfs-share',
        driver: 'local',
        driverOpts: { device: ':/exports/share', o: 'addr=10.0.0.2,nfsvers=4,ro', type: 'nfs' },
      });
      expect(p.volumes.scratch).toMatchObject({
        name: 'shared-scratch',
        external: false,
        labels: { 'com.example.owner': '', 'com.example.purpose': 'scratch' },
      });
      expect(svc(p, 'files').mounts[2]).toMatchObject({
        type: 'volume',
        source: 'nfs-share',
        readOnly: true,
      });
    },
  },
  anchors: {
    check: (p) => {
      const api = svc(p, 'api');
      const worker = svc(p, 'worker');
      expect(api.restart).toBe('unless-stopped');
      expect(api.logging).toEqual({ driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } });
      expect(api.environment).toEqual({ LOG_LEVEL: 'info', TZ: 'UTC' });
      expect(worker.restart).toBe('on-failure');
      expect(worker.environment).toEqual({ LOG_LEVEL: 'debug', QUEUE: 'jobs', TZ: 'UTC' });
      expect(worker.logging).toEqual(api.logging);
    },
  },
};

// The fidelity corpus: the compose reader's valid cases, each with the few edits its copy needs to
// come up on a rig host (both tools get the same edited copy) and the fields where Capstan is known
// and meant to differ from docker-compose 1.29. docs/compose-fidelity.md lists the same table.

/** A text replacement in a case's compose.yml copy; `<HOST>` in `to` is the test's stand-in for `/`. */
export interface Adaptation {
  readonly from: string;
  readonly to: string;
  readonly why: string;
}

/** Fields excluded from the comparison: a path pattern over the flattened view and why. */
export interface Exclusion {
  readonly path: RegExp;
  /** Only when this holds for the two values (undefined: a side lacks the field). */
  readonly when?: (ref: string | undefined, cap: string | undefined) => boolean;
  readonly why: string;
}

const HOST_PATHS = 'absolute host paths moved under a temp dir so neither tool writes to the real /';

/** Edits per case (every one must match the file, or the test fails). */
export const ADAPTATIONS: Readonly<Record<string, readonly Adaptation[]>> = {
  'bind-long': [
    { from: 'source: /srv/shared', to: 'source: <HOST>/srv/shared', why: HOST_PATHS },
    { from: '- /var/lib/app:', to: '- <HOST>/var/lib/app:', why: HOST_PATHS },
  ],
  'external-volumes': [
    {
      from: 'type: nfs\n      o: "addr=10.0.0.2,nfsvers=4,ro"\n      device: ":/exports/share"',
      to: 'type: tmpfs\n      o: "size=1m"\n      device: tmpfs',
      why: 'the rig has no NFS server; a tmpfs local volume keeps driver_opts in the comparison and lets the container start',
    },
  ],
  healthchecks: [
    {
      from: 'shell-string:\n        condition: service_healthy',
      to: 'shell-string:\n        condition: service_started',
      why: 'shell-string probes every 90 s after a 40 s start period; depends_on leaves no trace on containers, so waiting proves nothing here',
    },
  ],
  limits: [
    {
      from: 'nproc: 65535\n      nofile:\n        soft: 20000\n        hard: 40000',
      to: 'nproc: 4096\n      nofile:\n        soft: 1024\n        hard: 4096',
      why: 'raising rlimits above dockerd\'s own hard limits needs CAP_SYS_RESOURCE, which test machines may lack',
    },
    { from: 'memlock:\n        soft: -1\n        hard: -1', to: 'memlock:\n        soft: 65536\n        hard: 65536', why: 'as above (unlimited memlock)' },
  ],
  'logging-hosts': [
    {
      from: 'max-file: 5',
      to: 'max-file: "5"',
      why: 'docker-compose 1.29 sends the number 5 as a JSON number and the engine refuses the container; Capstan sends the string (see the table)',
    },
  ],
  'reverse-proxy': [
    { from: '- /var/run/docker.sock:', to: '- <HOST>/var/run/docker.sock:', why: `${HOST_PATHS} (compose would create a directory named docker.sock)` },
    {
      from: 'pull_policy: always',
      to: 'pull_policy: if_not_present',
      why: 'docker-compose 1.29 accepts pull_policy but ignores it; Capstan pulls, and the rig cannot reach Docker Hub',
    },
  ],
};

/** Services that may fail to start on some machines; both tools must still have created them. */
export const MAY_FAIL_TO_START: Readonly<Record<string, { services: readonly string[]; why: string }>> = {
  security: {
    services: ['privileged-tool'],
    why: 'a privileged container needs every capability (this runs inside containers that lack some), and user root needs an /etc/passwd the busybox image lacks',
  },
};

/** Host directories a case needs before either tool runs (relative to `<HOST>` or to the working directory). */
export const PREPARE: Readonly<Record<string, { host?: string[]; work?: string[] }>> = {
  // Long-form binds never create their source. (rshared/rslave propagation needs a shared mount: the
  // test makes <HOST> one.)
  'bind-long': { host: ['srv/shared'], work: ['data'] },
};

/** External networks and volumes the corpus refers to, created once before the cases. */
export const EXTERNAL = { networks: ['traefik_proxy'], volumes: ['media', 'old_project_data'] } as const;

/** Differences on every case: what each tool records about itself. */
export const ALWAYS_EXCLUDED: readonly Exclusion[] = [
  { path: /\.Labels\.com\.docker\.compose\.config-hash$/, why: 'each tool hashes its own view of the service config' },
  { path: /\.Labels\.com\.docker\.compose\.project\.config_files$/, why: 'Capstan has no compose file on the host: capstan://stacks/<id>' },
  { path: /\.Labels\.dev\.capstan\./, why: "Capstan's own labels (service config view, stack id and version)" },
  {
    path: /\.ProcMounts\./,
    when: (ref, cap) => ref === undefined || cap === undefined,
    why: "a container's own mount table is only compared when it was running on both sides (not restarting or exited)",
  },
];

/** Differences for one case, with the reason each is intended. */
export const EXCLUDED: Readonly<Record<string, readonly Exclusion[]>> = {
  'legacy-v2': [
    {
      path: /^container <P>_app_1\.Networks\.<P>_default\.Links$/,
      why: 'links: Capstan warns that links are not needed and creates none; on a project network the service name resolves anyway (docker-compose 1.29 adds legacy links)',
    },
  ],
  monitoring: [
    {
      path: /^container <P>_prometheus_1\.Mounts\.\/etc\/prometheus\/prometheus\.yml\./,
      why: 'configs: docker-compose 1.29 ignores them outside a swarm (with a warning); Capstan mounts them read-only',
    },
  ],
  secrets: [
    { path: /^container <P>_app_1\.Mounts\.(\/app_config|\/etc\/app\/app\.conf)\./, why: 'configs: ignored by docker-compose 1.29, mounted by Capstan' },
    {
      path: /^container <P>_app_1\.Mounts\.(\/run\/secrets\/api_key|\/run\/secrets\/server\.crt|\/etc\/ssl\/private\/server\.key)\.source$/,
      why: "secret files: docker-compose 1.29 binds the file next to the compose file; Capstan binds its own copy (mode 0400, or the secret's mode, which 1.29 ignores) from the stack's state folder",
    },
  ],
  wordpress: [
    {
      path: /^container <P>_(wordpress|mysql)_1\.Mounts\.\/run\/secrets\/db_password\.source$/,
      why: "secret files: 1.29 binds ./db_password.txt itself, Capstan its 0400 copy in the stack's state folder",
    },
  ],
};

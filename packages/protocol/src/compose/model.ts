// The normalized compose model: what a compose file means once parsed, validated, interpolated and
// defaulted. It is the target the agent's planner reconciles an engine against, carried in stack
// deploy commands and stored with each stack version. Plain data (no I/O), validated with zod on
// both ends. Field names follow the compose-spec; units are made explicit (bytes, milliseconds).
import * as z from 'zod/mini';

const name = z.string().check(z.minLength(1), z.maxLength(255));
const stringMap = z.record(z.string(), z.string());

/** `ports:` entry, short or long form, one per published range. */
export const PortSpecSchema = z.object({
  /** Container port (or range start). */
  target: z.int().check(z.minimum(1), z.maximum(65535)),
  /** Range end when the entry was a range (`8000-8010:8000-8010`), else equal to target. */
  targetEnd: z.int().check(z.minimum(1), z.maximum(65535)),
  /** Host port or range as written (`"8080"`, `"8000-8010"`); null: an ephemeral port. */
  published: z.nullable(z.string().check(z.maxLength(32))),
  hostIp: z.nullable(z.string().check(z.maxLength(64))),
  protocol: z.enum(['tcp', 'udp', 'sctp']),
});
export type PortSpec = z.infer<typeof PortSpecSchema>;

/** `volumes:` entry of a service (short or long form) and `tmpfs:` entries. */
export const MountSpecSchema = z.object({
  type: z.enum(['volume', 'bind', 'tmpfs']),
  /** Volume key in the project's `volumes:` (type volume; null = anonymous) or host path (type bind). */
  source: z.nullable(z.string().check(z.maxLength(4096))),
  target: z.string().check(z.minLength(1), z.maxLength(4096)),
  readOnly: z.boolean(),
  /** bind: create the host path when missing (compose's default for the short form). */
  createHostPath: z.boolean(),
  /** volume: do not copy image content into a new volume. */
  noCopy: z.boolean(),
  /** tmpfs size in bytes (null: engine default). */
  tmpfsSizeBytes: z.nullable(z.int().check(z.minimum(0))),
  /** tmpfs file mode (e.g. 0o1777; null: engine default). */
  tmpfsMode: z.nullable(z.int().check(z.minimum(0), z.maximum(0o7777))),
  /** bind propagation (rprivate, shared, …), when given. */
  propagation: z.nullable(z.string().check(z.maxLength(32))),
});
export type MountSpec = z.infer<typeof MountSpecSchema>;

export const DependencyConditionSchema = z.enum(['service_started', 'service_healthy', 'service_completed_successfully']);
export type DependencyCondition = z.infer<typeof DependencyConditionSchema>;

export const HealthcheckSpecSchema = z.object({
  /** As Docker takes it: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"] (disable: true). */
  test: z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256)),
  intervalMs: z.nullable(z.int().check(z.minimum(0))),
  timeoutMs: z.nullable(z.int().check(z.minimum(0))),
  startPeriodMs: z.nullable(z.int().check(z.minimum(0))),
  retries: z.nullable(z.int().check(z.minimum(0))),
});
export type HealthcheckSpec = z.infer<typeof HealthcheckSpecSchema>;

export const ServiceNetworkSchema = z.object({
  aliases: z.array(z.string().check(z.maxLength(255))).check(z.maxLength(64)),
  ipv4Address: z.nullable(z.string().check(z.maxLength(64))),
  ipv6Address: z.nullable(z.string().check(z.maxLength(64))),
});
export type ServiceNetwork = z.infer<typeof ServiceNetworkSchema>;

export const ResourcesSchema = z.object({
  /** CPUs as a decimal (0.5 = half a core); null: unlimited. */
  cpus: z.nullable(z.number().check(z.minimum(0))),
  memoryBytes: z.nullable(z.int().check(z.minimum(0))),
  pids: z.nullable(z.int().check(z.minimum(0))),
});

/** A file-based secret or config mounted into a service (non-swarm: a read-only bind). */
export const FileMountSchema = z.object({
  /** Key in the project's `secrets:`/`configs:`. */
  source: name,
  /** Absolute path in the container (secrets default to /run/secrets/<source>, configs to /<source>). */
  target: z.string().check(z.minLength(1), z.maxLength(4096)),
  mode: z.nullable(z.int().check(z.minimum(0), z.maximum(0o7777))),
});

export const ServiceSpecSchema = z.object({
  name,
  image: z.string().check(z.minLength(1), z.maxLength(512)),
  /** Exec form; a string command was split the way compose splits it (shell words). null: the image's. */
  command: z.nullable(z.array(z.string())),
  entrypoint: z.nullable(z.array(z.string())),
  /** Final environment (env_file entries first, then `environment:`), sorted by key; null value: unset. */
  environment: z.record(z.string(), z.nullable(z.string())),
  ports: z.array(PortSpecSchema),
  /** Exposed-only ports (`expose:`), as "80/tcp". */
  expose: z.array(z.string().check(z.maxLength(32))),
  mounts: z.array(MountSpecSchema),
  /** Project network key → settings; a service without `networks:` is on `default`. */
  networks: z.record(z.string(), ServiceNetworkSchema),
  /** Network mode other than project networks (`host`, `none`, `service:x`, `container:x`); null: networks apply. */
  networkMode: z.nullable(z.string().check(z.maxLength(255))),
  dependsOn: z.record(z.string(), z.object({ condition: DependencyConditionSchema, restart: z.boolean() })),
  healthcheck: z.nullable(HealthcheckSpecSchema),
  /** no | always | unless-stopped | on-failure[:max] */
  restart: z.string().check(z.maxLength(32)),
  /** User labels (compose's own labels are added by the engine adapter). */
  labels: stringMap,
  user: z.nullable(z.string().check(z.maxLength(255))),
  workingDir: z.nullable(z.string().check(z.maxLength(4096))),
  hostname: z.nullable(z.string().check(z.maxLength(255))),
  domainname: z.nullable(z.string().check(z.maxLength(255))),
  /** "host:ip" entries. */
  extraHosts: z.array(z.string().check(z.maxLength(512))),
  dns: z.array(z.string().check(z.maxLength(255))),
  capAdd: z.array(z.string().check(z.maxLength(64))),
  capDrop: z.array(z.string().check(z.maxLength(64))),
  privileged: z.boolean(),
  ulimits: z.record(z.string(), z.object({ soft: z.int(), hard: z.int() })),
  /** driver "": the engine's default log driver (only options were given). */
  logging: z.nullable(z.object({ driver: z.string().check(z.maxLength(64)), options: stringMap })),
  limits: ResourcesSchema,
  reservations: ResourcesSchema,
  readOnly: z.boolean(),
  stopGracePeriodMs: z.nullable(z.int().check(z.minimum(0))),
  stopSignal: z.nullable(z.string().check(z.maxLength(32))),
  init: z.nullable(z.boolean()),
  shmSizeBytes: z.nullable(z.int().check(z.minimum(0))),
  sysctls: stringMap,
  tty: z.boolean(),
  stdinOpen: z.boolean(),
  secrets: z.array(FileMountSchema),
  configs: z.array(FileMountSchema),
  /** Explicit `container_name`; null: <project>_<service>_<n>. */
  containerName: z.nullable(z.string().check(z.maxLength(255))),
  /** Containers to run (`scale` / `deploy.replicas`), default 1. */
  replicas: z.int().check(z.minimum(0), z.maximum(100)),
  pullPolicy: z.enum(['always', 'missing', 'never']),
});
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;

export const NetworkSpecSchema = z.object({
  /** Engine-side name: `<project>_<key>` unless `name:` or external. */
  name,
  external: z.boolean(),
  driver: z.nullable(z.string().check(z.maxLength(64))),
  driverOpts: stringMap,
  internal: z.boolean(),
  attachable: z.boolean(),
  enableIpv6: z.boolean(),
  ipam: z.nullable(
    z.object({
      driver: z.nullable(z.string().check(z.maxLength(64))),
      config: z.array(z.object({ subnet: z.nullable(z.string().check(z.maxLength(64))), gateway: z.nullable(z.string().check(z.maxLength(64))), ipRange: z.nullable(z.string().check(z.maxLength(64))) })),
    }),
  ),
  labels: stringMap,
});
export type NetworkSpec = z.infer<typeof NetworkSpecSchema>;

export const VolumeSpecSchema = z.object({
  /** Engine-side name: `<project>_<key>` unless `name:` or external. */
  name,
  external: z.boolean(),
  driver: z.nullable(z.string().check(z.maxLength(64))),
  driverOpts: stringMap,
  labels: stringMap,
});
export type VolumeSpec = z.infer<typeof VolumeSpecSchema>;

/** File content for a secret/config (from the stack's extra files), base64 so any bytes survive. */
export const FileContentSchema = z.object({ contentBase64: z.string().check(z.maxLength(4 * 1024 * 1024)) });

/** A whole project, ready to reconcile. Keys are sorted; only enabled profiles' services are present. */
export const ComposeProjectSchema = z.object({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, _ and -, starting with a letter or digit'), z.maxLength(63)),
  services: z.record(z.string(), ServiceSpecSchema),
  networks: z.record(z.string(), NetworkSpecSchema),
  volumes: z.record(z.string(), VolumeSpecSchema),
  secrets: z.record(z.string(), FileContentSchema),
  configs: z.record(z.string(), FileContentSchema),
});
export type ComposeProject = z.infer<typeof ComposeProjectSchema>;

/** A problem found while reading a compose file: where (1-based line/column) and what to fix. */
export const ComposeIssueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  /** File name as given (the main compose file or an extra file such as .env). */
  file: z.string().check(z.maxLength(255)),
  line: z.nullable(z.int().check(z.minimum(1))),
  column: z.nullable(z.int().check(z.minimum(1))),
  /** Dotted path of the key, e.g. services.web.ports[0]. */
  path: z.string().check(z.maxLength(1024)),
  message: z.string().check(z.maxLength(1024)),
});
export type ComposeIssue = z.infer<typeof ComposeIssueSchema>;

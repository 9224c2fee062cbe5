// The compose file reader: YAML text (plus the stack's extra files and variables) → the normalized
// ComposeProject, or issues with file, line and column saying what to fix. Pure: no I/O, no clock.
// Semantics follow docker-compose 1.29 (see each normalize-*.ts); keys it does not implement are
// errors or warnings, never dropped silently.
import { defaultNetworkSpec } from './defaults.ts';
import { parseDotenv } from './dotenv.ts';
import { interpolateTree } from './interpolate.ts';
import {
  ComposeProjectSchema,
  type ComposeIssue,
  type ComposeProject,
  type NetworkSpec,
  type ServiceSpec,
} from './model.ts';
import { readTopFile } from './normalize-files.ts';
import { readTopNetwork, readTopVolume } from './normalize-networks.ts';
import { readService, type ServiceRefs } from './normalize-service.ts';
import { findStackFile } from './paths.ts';
import { checkContainerNames, checkCycles, checkReferences } from './project-checks.ts';
import { asMap, asString, eachKey, entry, fail, sortRecord, sub, warn, type Ctx } from './reader.ts';
import { parseYamlTree, type YNode } from './yaml-positions.ts';

export interface ParseComposeInput {
  /** The compose file and every file it references (env_file, secrets/configs file:, .env), by relative path. */
  files: Readonly<Record<string, string>>;
  /** Key of the compose file in `files`; referenced paths are relative to its directory. */
  mainFile: string;
  projectName: string;
  /** Interpolation environment; wins over a `.env` next to the compose file. */
  variables: Readonly<Record<string, string>>;
  /** Active profiles; default: COMPOSE_PROFILES from the variables, else none. */
  profiles?: readonly string[];
}

export interface ParseComposeResult {
  /** null when there is any error. */
  project: ComposeProject | null;
  issues: ComposeIssue[];
}

const TOP_KEYS = ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs'];
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Reads a compose project; never throws (an unexpected failure is reported as an issue). */
export function parseCompose(input: ParseComposeInput): ParseComposeResult {
  try {
    return read(input);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      project: null,
      issues: [
        {
          severity: 'error',
          file: input.mainFile.slice(0, 255),
          line: null,
          column: null,
          path: '',
          message: `internal error while reading the file: ${message}`.slice(0, 1024),
        },
      ],
    };
  }
}

/** The interpolation environment: `.env` next to the compose file, overridden by the stack's variables. */
export function composeVariables(ctx: Ctx, input: ParseComposeInput): Record<string, string> {
  const vars: Record<string, string> = {};
  const dotenv = findStackFile(input.files, input.mainFile, '.env');
  if (dotenv !== null) {
    for (const e of parseDotenv({ file: dotenv.key, issues: ctx.issues }, dotenv.text, input.variables)) {
      if (e.value !== null) vars[e.key] = e.value;
    }
  }
  for (const [k, v] of Object.entries(input.variables)) vars[k] = v;
  return vars;
}

function read(input: ParseComposeInput): ParseComposeResult {
  const issues: ComposeIssue[] = [];
  const ctx: Ctx = { file: input.mainFile, issues };
  const done = (project: ComposeProject | null): ParseComposeResult => ({
    project: issues.some((i) => i.severity === 'error') ? null : project,
    issues: sortIssues(issues, input.mainFile),
  });
  if (!PROJECT_NAME.test(input.projectName) || input.projectName.length > 63) {
    fail(
      ctx,
      null,
      'name',
      `project name "${input.projectName.slice(0, 80)}" must be 1-63 lower-case letters, digits, _ and -, starting with a letter or digit`,
    );
  }
  const text = Object.hasOwn(input.files, input.mainFile) ? input.files[input.mainFile] : undefined;
  if (text === undefined) {
    fail(ctx, null, '', `the compose file "${input.mainFile.slice(0, 200)}" is not among the stack's files`);
    return done(null);
  }
  const variables = composeVariables(ctx, input);
  const parsed = parseYamlTree(text, input.mainFile);
  issues.push(...parsed.issues);
  if (parsed.root === null) {
    if (parsed.issues.length === 0)
      fail(ctx, { line: 1, column: 1 }, '', 'the compose file is empty: add a services: section');
    return done(null);
  }
  const root = asMap(ctx, parsed.root, '', 'a mapping with a services: section');
  if (root === undefined) return done(null);
  const warned = new Set<string>();
  const sections = new Map<string, YNode>();
  eachKey(ctx, root, '', TOP_KEYS, {}, (key, value) => {
    // version is accepted and ignored (the compose-spec made it informative); x-* keys are not interpolated.
    if (key === 'version') return;
    sections.set(key, interpolateTree(ctx, value, key, variables, warned));
  });
  const nameNode = sections.get('name');
  if (nameNode !== undefined) {
    const fileName = asString(ctx, nameNode, 'name');
    if (fileName !== undefined && fileName !== input.projectName) {
      warn(
        ctx,
        nameNode.pos,
        'name',
        `the stack's name "${input.projectName}" is used as the project name, not "${fileName}": remove name: or make it match`,
      );
    }
  }
  const project = input.projectName;
  const envInput = { files: input.files, mainFile: input.mainFile, variables };
  const networks = readSection(ctx, sections.get('networks'), 'networks', (k, pos, v, p) =>
    readTopNetwork(ctx, project, k, pos, v, p),
  );
  const volumes = readSection(ctx, sections.get('volumes'), 'volumes', (k, pos, v, p) =>
    readTopVolume(ctx, project, k, pos, v, p),
  );
  const secrets = readSection(ctx, sections.get('secrets'), 'secrets', (k, _pos, v, p) =>
    readTopFile(ctx, 'secret', k, v, p, envInput),
  );
  const configs = readSection(ctx, sections.get('configs'), 'configs', (k, _pos, v, p) =>
    readTopFile(ctx, 'config', k, v, p, envInput),
  );

  const servicesNode = sections.get('services');
  if (servicesNode === undefined) {
    fail(
      ctx,
      root.pos,
      'services',
      'the file has no services: section: add at least one service with an image',
    );
    return done(null);
  }
  const servicesMap = asMap(ctx, servicesNode, 'services');
  if (servicesMap === undefined) return done(null);
  if (servicesMap.entries.length === 0)
    fail(ctx, servicesMap.pos, 'services', 'services: is empty: add at least one service with an image');
  const specs = new Map<string, ServiceSpec | null>();
  const refs = new Map<string, ServiceRefs>();
  for (const e of servicesMap.entries) {
    if (e.key.startsWith('x-')) continue;
    const r = readService(ctx, e.key, e, envInput);
    specs.set(e.key, r.spec);
    refs.set(e.key, r.refs);
  }
  const active = new Set(
    input.profiles ??
      (variables.COMPOSE_PROFILES ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
  );
  const enabled = new Set(
    [...refs]
      .filter(([, r]) => r.profiles.length === 0 || r.profiles.some((p) => active.has(p)))
      .map(([n]) => n),
  );
  checkReferences(ctx, refs, {
    services: new Set(refs.keys()),
    enabled,
    networks: new Set(Object.keys(networks)),
    volumes: new Set(Object.keys(volumes)),
    secrets: new Set(Object.keys(secrets)),
    configs: new Set(Object.keys(configs)),
  });
  checkCycles(ctx, refs);
  const services: Record<string, ServiceSpec> = {};
  for (const name of enabled) {
    const spec = specs.get(name);
    if (spec !== null && spec !== undefined) services[name] = spec;
  }
  checkContainerNames(ctx, new Map(Object.entries(services)), refs);
  const usedNetworks = projectNetworks(ctx, networks, refs, enabled, sections.get('networks'), project);
  const result: ComposeProject = {
    name: project,
    services: sortRecord(services),
    networks: sortRecord(usedNetworks),
    volumes: sortRecord(volumes),
    secrets: sortRecord(secrets),
    configs: sortRecord(configs),
  };
  if (issues.some((i) => i.severity === 'error')) return done(null);
  const checked = ComposeProjectSchema.safeParse(result);
  if (!checked.success) {
    const first = checked.error.issues[0];
    fail(
      ctx,
      null,
      first?.path.join('.') ?? '',
      `the file reads into a project Capstan cannot hold: ${first?.message ?? 'invalid'} — shorten or simplify this value`,
    );
    return done(null);
  }
  return done(checked.data);
}

function readSection<T>(
  ctx: Ctx,
  node: YNode | undefined,
  path: string,
  readOne: (
    key: string,
    keyPos: { line: number; column: number },
    value: YNode,
    path: string,
  ) => T | undefined,
): Record<string, T> {
  const out: Record<string, T> = {};
  if (node === undefined || (node.kind === 'scalar' && node.value === null)) return out;
  const map = asMap(ctx, node, path);
  if (map === undefined) return out;
  for (const e of map.entries) {
    if (e.key.startsWith('x-')) continue;
    const v = readOne(e.key, e.keyPos, e.value, sub(path, e.key));
    if (v !== undefined) out[e.key] = v;
  }
  return out;
}

/**
 * The networks to create: those an enabled service uses, plus `default` when a service is on it
 * and the file does not define it. Like docker-compose 1.29, networks no service uses are not
 * created (and said so, unless a profile-disabled service uses them).
 */
function projectNetworks(
  ctx: Ctx,
  declared: Record<string, NetworkSpec>,
  refs: ReadonlyMap<string, ServiceRefs>,
  enabled: ReadonlySet<string>,
  section: YNode | undefined,
  project: string,
): Record<string, NetworkSpec> {
  const usedBy = (filter: (name: string) => boolean): Set<string> =>
    new Set([...refs].filter(([n]) => filter(n)).flatMap(([, r]) => r.networks.map((x) => x.name)));
  const usedEnabled = usedBy((n) => enabled.has(n));
  const usedAny = usedBy(() => true);
  const out: Record<string, NetworkSpec> = {};
  for (const [key, spec] of Object.entries(declared)) {
    if (usedEnabled.has(key)) out[key] = spec;
    else if (!usedAny.has(key) && key !== 'default') {
      const at = section?.kind === 'map' ? (entry(section, key)?.keyPos ?? null) : null;
      warn(
        ctx,
        at,
        sub('networks', key),
        `network "${key}" is not used by any service and is not created: remove it or attach a service to it`,
      );
    }
  }
  if (usedEnabled.has('default') && out.default === undefined) {
    out.default = defaultNetworkSpec(project, 'default');
  }
  return out;
}

/** Issues in file order (compose file first), then by position. */
function sortIssues(issues: ComposeIssue[], mainFile: string): ComposeIssue[] {
  const rank = (i: ComposeIssue): number => (i.file === mainFile ? 0 : 1);
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        rank(a.issue) - rank(b.issue) ||
        (a.issue.file < b.issue.file ? -1 : a.issue.file > b.issue.file ? 1 : 0) ||
        (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.index - b.index,
    )
    .map((x) => x.issue);
}

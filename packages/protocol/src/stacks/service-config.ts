// The part of a service's definition that its containers are made from, in a canonical form: its
// hash is the compose config-hash (a changed hash means the containers must be recreated), and the
// form itself is kept in a label so a plan can list the fields that changed, from a snapshot too.
import type { ComposeProject, ServiceSpec } from '../compose/model.ts';
import { stableJson } from '../snapshot/diff.ts';
import type { FieldChange } from './commands.ts';
import { sha256Hex } from './sha256.ts';

/** What the config view leaves out: fields that do not change a container (replica count, pulls, start order). */
type Excluded = 'replicas' | 'pullPolicy' | 'dependsOn';

/**
 * A service's container-shaping config. Environment values are kept only as short hashes so that
 * secrets in the environment do not travel in labels and snapshots; secret and config files are
 * represented by hashes of their content, so a changed file recreates the services that mount it.
 */
export type ServiceConfigView = Omit<ServiceSpec, Excluded | 'environment'> & {
  environment: Record<string, string | null>;
  secretContent: Record<string, string>;
  configContent: Record<string, string>;
};

const short = (text: string): string => `sha256:${sha256Hex(text).slice(0, 16)}`;

/** The config view of `service` in `project`. */
export function serviceConfigView(project: ComposeProject, service: ServiceSpec): ServiceConfigView {
  const { replicas: _r, pullPolicy: _p, dependsOn: _d, environment, ...rest } = service;
  const environmentView: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(environment)) environmentView[k] = v === null ? null : short(`${k}=${v}`);
  const contents = (mounts: ServiceSpec['secrets'], files: ComposeProject['secrets']): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const m of mounts) out[m.source] = short(files[m.source]?.contentBase64 ?? '');
    return out;
  };
  return {
    ...rest,
    environment: environmentView,
    secretContent: contents(service.secrets, project.secrets),
    configContent: contents(service.configs, project.configs),
  };
}

/** Compact canonical JSON of a config view: the label value. */
export function serviceConfigText(view: ServiceConfigView): string {
  return stableJson(view);
}

/** The compose config-hash of a config view: sha256 hex of its canonical JSON. */
export function serviceConfigHash(view: ServiceConfigView): string {
  return sha256Hex(serviceConfigText(view));
}

/** Parses a stored config label; null when absent or not a JSON object. */
export function parseServiceConfig(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Fields whose changes are listed per key (environment.FOO) rather than whole. */
const KEYED_FIELDS: ReadonlySet<string> = new Set(['environment', 'labels', 'networks', 'sysctls', 'ulimits', 'secretContent', 'configContent']);

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The fields that differ between a stored config (null: unknown) and the target view, in field order. */
export function diffServiceConfig(stored: Record<string, unknown> | null, target: ServiceConfigView): FieldChange[] {
  const to = target as unknown as Record<string, unknown>;
  if (stored === null) return [{ field: 'config', from: null, to: serviceConfigHash(target) }];
  const changes: FieldChange[] = [];
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(to)])].sort();
  for (const field of fields) {
    const a = stored[field];
    const b = to[field];
    if (stableJson(a ?? null) === stableJson(b ?? null)) continue;
    if (KEYED_FIELDS.has(field)) {
      const ra = asRecord(a);
      const rb = asRecord(b);
      for (const key of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
        if (stableJson(ra[key] ?? null) !== stableJson(rb[key] ?? null)) changes.push({ field: `${field}.${key}`, from: ra[key] ?? null, to: rb[key] ?? null });
      }
    } else {
      changes.push({ field, from: a ?? null, to: b ?? null });
    }
  }
  return changes;
}

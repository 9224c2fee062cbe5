// What a project network was created with, kept in a label on the network (the snapshot carries only
// its driver and labels), so a plan can tell that an existing network no longer matches the file.
// An engine cannot change a network's settings in place: like docker-compose 1.29, such a change
// needs the network recreated, which the deploy refuses to do behind the user's back.
import type { NetworkSpec } from '../compose/model.ts';
import { stableJson } from '../snapshot/diff.ts';
import type { FieldChange } from './commands.ts';
import type { ProjectNetwork } from './project-state.ts';

/** The settings compared (driver is read from the engine itself; `attachable` is left out: every project network is created attachable). */
export interface NetworkConfigView {
  readonly driverOpts: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly enableIpv6: boolean;
  readonly ipam: NetworkSpec['ipam'];
  readonly labels: Readonly<Record<string, string>>;
}

/** Label holding the compact canonical JSON of the network's NetworkConfigView. */
export const NETWORK_CONFIG_LABEL = 'dev.capstan.network-config';

/** The config view of a project network. */
export function networkConfigView(n: NetworkSpec): NetworkConfigView {
  return { driverOpts: n.driverOpts, internal: n.internal, enableIpv6: n.enableIpv6, ipam: n.ipam, labels: n.labels };
}

/** The label value: canonical JSON of the view. */
export function networkConfigText(n: NetworkSpec): string {
  return stableJson(networkConfigView(n));
}

/** Fields compared key by key, so a change names the option (driverOpts.com.docker.network.bridge.name). */
const KEYED: ReadonlySet<string> = new Set(['driverOpts', 'labels']);

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function storedView(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The settings in which existing network `existing` differs from the target `spec` (empty: it can
 * stay). The driver is compared when the file names one (as docker-compose 1.29 does); the rest
 * only when the network carries Capstan's config label (networks made by docker-compose or by hand
 * are taken as they are).
 */
export function networkChanges(existing: ProjectNetwork, spec: NetworkSpec): FieldChange[] {
  const changes: FieldChange[] = [];
  if (spec.driver !== null && existing.driver !== spec.driver) changes.push({ field: 'driver', from: existing.driver, to: spec.driver });
  const stored = storedView(existing.labels[NETWORK_CONFIG_LABEL]);
  if (stored === null) return changes;
  const target = networkConfigView(spec) as unknown as Record<string, unknown>;
  for (const field of Object.keys(target).sort()) {
    const a = stored[field] ?? null;
    const b = target[field] ?? null;
    if (stableJson(a) === stableJson(b)) continue;
    if (!KEYED.has(field)) {
      changes.push({ field, from: a, to: b });
      continue;
    }
    const ra = asRecord(a);
    const rb = asRecord(b);
    for (const key of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
      if (stableJson(ra[key] ?? null) !== stableJson(rb[key] ?? null)) changes.push({ field: `${field}.${key}`, from: ra[key] ?? null, to: rb[key] ?? null });
    }
  }
  return changes;
}

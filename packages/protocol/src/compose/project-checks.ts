// Project-wide checks once every service is read: references to services, networks, volumes,
// secrets and configs exist; dependencies have no cycle and are enabled by the active profiles;
// container names are unique.
import type { ServiceRefs } from './normalize-service.ts';
import { fail, type Ctx } from './reader.ts';

export interface Declared {
  services: ReadonlySet<string>;
  enabled: ReadonlySet<string>;
  networks: ReadonlySet<string>;
  volumes: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  configs: ReadonlySet<string>;
}

/** Reports every reference to something the project does not declare. */
export function checkReferences(ctx: Ctx, all: ReadonlyMap<string, ServiceRefs>, d: Declared): void {
  for (const [name, refs] of all) {
    const enabled = d.enabled.has(name);
    for (const dep of refs.dependencies) {
      if (!d.services.has(dep.name)) {
        fail(
          ctx,
          dep.pos,
          dep.path,
          `service "${name}" depends on "${dep.name}", which is not a service of this file: fix the name or add the service`,
        );
      } else if (dep.name === name) {
        fail(ctx, dep.pos, dep.path, `service "${name}" cannot depend on itself: remove this dependency`);
      } else if (enabled && !d.enabled.has(dep.name)) {
        fail(
          ctx,
          dep.pos,
          dep.path,
          `service "${dep.name}" is needed by "${name}" but is not enabled by the active profiles: give both a common profile, or enable the profile of "${dep.name}"`,
        );
      }
    }
    for (const n of refs.networks) {
      if (n.name !== 'default' && !d.networks.has(n.name)) {
        fail(
          ctx,
          n.pos,
          n.path,
          `service "${name}" uses network "${n.name}", which is not declared: add it under the top-level networks: (external: true if it already exists)`,
        );
      }
    }
    for (const v of refs.volumes) {
      if (!d.volumes.has(v.name)) {
        fail(
          ctx,
          v.pos,
          v.path,
          `named volume "${v.name}" is used by service "${name}" but not declared: add "${v.name}:" under the top-level volumes:, or write ./${v.name} for a directory next to the compose file`,
        );
      }
    }
    for (const [kind, list, known] of [
      ['secret', refs.secrets, d.secrets],
      ['config', refs.configs, d.configs],
    ] as const) {
      for (const r of list) {
        if (!known.has(r.name))
          fail(
            ctx,
            r.pos,
            r.path,
            `${kind} "${r.name}" is used by service "${name}" but not declared: add it under the top-level ${kind}s: with file: <path>`,
          );
      }
    }
  }
}

/** Reports each dependency cycle once, at the dependency that closes it. */
export function checkCycles(ctx: Ctx, all: ReadonlyMap<string, ServiceRefs>): void {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string): void => {
    state.set(name, 'active');
    stack.push(name);
    for (const dep of all.get(name)?.dependencies ?? []) {
      if (!all.has(dep.name) || dep.name === name) continue;
      const s = state.get(dep.name);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(dep.name)), dep.name];
        const id = [...new Set(cycle)].sort().join('\u0000');
        if (!reported.has(id)) {
          reported.add(id);
          fail(
            ctx,
            dep.pos,
            dep.path,
            `services depend on each other in a cycle (${cycle.join(' → ')}): remove one of these dependencies`,
          );
        }
      } else if (s === undefined) visit(dep.name);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of all.keys()) if (!state.has(name)) visit(name);
}

/** Reports a container_name used by two enabled services. */
export function checkContainerNames(
  ctx: Ctx,
  names: ReadonlyMap<string, { containerName: string | null }>,
  all: ReadonlyMap<string, ServiceRefs>,
): void {
  const seen = new Map<string, string>();
  for (const [service, spec] of names) {
    if (spec.containerName === null) continue;
    const other = seen.get(spec.containerName);
    const refs = all.get(service);
    if (other !== undefined) {
      fail(
        ctx,
        refs?.containerNamePos ?? null,
        `${refs?.path ?? service}.container_name`,
        `container_name "${spec.containerName}" is also used by service "${other}": container names must be unique`,
      );
    } else seen.set(spec.containerName, service);
  }
}

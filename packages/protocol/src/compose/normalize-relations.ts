// How services relate: `depends_on` (list, or map with conditions), legacy `links` and `profiles`.
import { DependencyConditionSchema, type DependencyCondition } from './model.ts';
import {
  asBool,
  asMap,
  asString,
  describe,
  eachKey,
  fail,
  sub,
  warn,
  type Ctx,
  type KeyRule,
} from './reader.ts';
import type { DependencyRef } from './normalize-service.ts';
import type { YNode } from './yaml-positions.ts';

const CONDITIONS = DependencyConditionSchema.options;

/** Reads `depends_on:` (list → service_started; map → condition and restart). */
export function readDependsOn(ctx: Ctx, node: YNode, path: string): DependencyRef[] {
  const out: DependencyRef[] = [];
  if (node.kind === 'seq') {
    node.items.forEach((item, i) => {
      const p = sub(path, i);
      const name = asString(ctx, item, p);
      if (name !== undefined)
        out.push({
          name,
          condition: 'service_started',
          restart: false,
          pos: item.pos,
          path: p,
          implied: false,
        });
    });
    return out;
  }
  const map = asMap(
    ctx,
    node,
    path,
    'a list of service names or a mapping of service name to { condition: … }',
  );
  if (map === undefined) return out;
  const rules: Record<string, KeyRule> = {
    required: {
      level: 'error',
      message:
        'optional dependencies are not supported: remove required (every dependency must be a service of this stack)',
    },
  };
  for (const e of map.entries) {
    const p = sub(path, e.key);
    const dep: DependencyRef = {
      name: e.key,
      condition: 'service_started',
      restart: false,
      pos: e.keyPos,
      path: p,
      implied: false,
    };
    out.push(dep);
    if (e.value.kind === 'scalar' && e.value.value === null) continue;
    const settings = asMap(ctx, e.value, p, 'a mapping such as { condition: service_healthy }');
    if (settings === undefined) continue;
    eachKey(ctx, settings, p, ['condition', 'restart'], rules, (key, value) => {
      const kp = sub(p, key);
      if (key === 'restart') {
        dep.restart = asBool(ctx, value, kp) ?? false;
        return;
      }
      const c = asString(ctx, value, kp);
      if (c !== undefined && (CONDITIONS as readonly string[]).includes(c))
        dep.condition = c as DependencyCondition;
      else if (c !== undefined)
        fail(ctx, value.pos, kp, `${kp} must be ${CONDITIONS.join(', ')}, not ${describe(value)}`);
    });
  }
  return out;
}

/** Reads legacy `links:`: a plain link only orders startup (names resolve on the project network anyway). */
export function readLinks(ctx: Ctx, node: YNode, path: string): DependencyRef[] {
  const out: DependencyRef[] = [];
  if (node.kind !== 'seq') {
    fail(ctx, node.pos, path, `${path} must be a list of service names, not ${describe(node)}`);
    return out;
  }
  node.items.forEach((item, i) => {
    const p = sub(path, i);
    const text = asString(ctx, item, p);
    if (text === undefined) return;
    const [name = '', alias] = text.split(':', 2);
    if (alias !== undefined && alias !== name) {
      fail(
        ctx,
        item.pos,
        p,
        `${p}: link aliases are not supported: give the service the network alias "${alias}" (networks: { default: { aliases: [${alias}] } }) and depend on it with depends_on`,
      );
      return;
    }
    warn(
      ctx,
      item.pos,
      p,
      `${p}: links are not needed (services reach each other by name on the project network): it is read as depends_on: [${name}]`,
    );
    out.push({ name, condition: 'service_started', restart: false, pos: item.pos, path: p, implied: true });
  });
  return out;
}

/** Reads `profiles:` (names of letters, digits, _ . -). */
export function readProfiles(ctx: Ctx, node: YNode, path: string): string[] {
  if (node.kind !== 'seq') {
    fail(ctx, node.pos, path, `${path} must be a list of profile names, not ${describe(node)}`);
    return [];
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const p = sub(path, i);
    const name = asString(ctx, item, p);
    if (name === undefined) return;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
      fail(ctx, item.pos, p, `profile "${name}" may contain only letters, digits, _ . and -`);
    else out.push(name);
  });
  return out;
}

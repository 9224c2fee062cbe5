import type { Permission } from '@capstan/protocol';

// One Docker Engine API call → the permission it needs. Pure, so the table is tested directly.
// Unknown mutating endpoints fall to `environment.update` (environment administrators): a new
// Docker API never becomes available to lesser roles by accident.

interface Rule {
  method: string | RegExp;
  path: RegExp;
  permission: Permission;
}

const ID = '[^/]+';
const r = (method: string | RegExp, path: string, permission: Permission): Rule => ({
  method,
  path: new RegExp(`^${path}$`),
  permission,
});

const RULES: readonly Rule[] = [
  r('GET', `/containers/${ID}/logs`, 'containers.logs'),
  r('GET', `/containers/${ID}/attach/ws`, 'containers.exec'),
  r(/^(GET|HEAD)$/, `/containers/${ID}/(archive|export)`, 'containers.manage'),
  r('GET', `/images/(${ID}/)?get`, 'images.manage'),
  r('POST', `/containers/${ID}/wait`, 'docker.read'),
  r('POST', `/containers/${ID}/(start|stop|restart|kill|pause|unpause)`, 'containers.operate'),
  r('POST', `/containers/${ID}/(attach|exec|resize)`, 'containers.exec'),
  r('POST', `/exec/${ID}/(start|resize)`, 'containers.exec'),
  r('POST', '/containers/create', 'containers.manage'),
  r('POST', `/containers/${ID}/(update|rename)`, 'containers.manage'),
  r('PUT', `/containers/${ID}/archive`, 'containers.manage'),
  r('DELETE', `/containers/${ID}`, 'containers.manage'),
  r('POST', '/containers/prune', 'containers.manage'),
  r('POST', '/(images/create|images/load|build|build/prune|commit|images/prune)', 'images.manage'),
  r('POST', `/images/.+/(tag|push)`, 'images.manage'),
  r('DELETE', '/images/.+', 'images.manage'),
  r('POST', '/volumes/(create|prune)', 'volumes.manage'),
  r(/^(PUT|DELETE)$/, `/volumes/${ID}`, 'volumes.manage'),
  r('POST', '/networks/(create|prune)', 'networks.manage'),
  r('POST', `/networks/${ID}/(connect|disconnect)`, 'networks.manage'),
  r('DELETE', `/networks/${ID}`, 'networks.manage'),
];

/** Strips the optional API version prefix (`/v1.41/containers/json` → `/containers/json`). */
export function unversioned(path: string): string {
  return path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

/** The permission a Docker Engine API request needs on its environment. */
export function dockerPermission(method: string, rawPath: string): Permission {
  const path = unversioned(rawPath.split('?')[0] ?? '');
  const m = method.toUpperCase();
  for (const rule of RULES) {
    const methodOk = typeof rule.method === 'string' ? rule.method === m : rule.method.test(m);
    if (methodOk && rule.path.test(path)) return rule.permission;
  }
  return m === 'GET' || m === 'HEAD' ? 'docker.read' : 'environment.update';
}

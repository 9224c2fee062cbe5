import { ROLES, type Permission } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { dockerPermission, unversioned } from './docker-proxy.policy.ts';

describe('dockerPermission', () => {
  it.each<[string, string, Permission]>([
    ['GET', '/_ping', 'docker.read'],
    ['HEAD', '/_ping', 'docker.read'],
    ['GET', '/v1.41/containers/json?all=1', 'docker.read'],
    ['GET', '/containers/abc/json', 'docker.read'],
    ['GET', '/containers/abc/stats?stream=false', 'docker.read'],
    ['GET', '/events', 'docker.read'],
    ['GET', '/v1.41/containers/abc/logs?follow=1', 'containers.logs'],
    ['GET', '/containers/abc/archive?path=/etc', 'containers.manage'],
    ['GET', '/images/get?names=x', 'images.manage'],
    ['POST', '/containers/abc/wait', 'docker.read'],
    ['POST', '/containers/abc/restart', 'containers.operate'],
    ['POST', '/v1.41/containers/abc/stop?t=5', 'containers.operate'],
    ['POST', '/containers/abc/exec', 'containers.exec'],
    ['POST', '/exec/e1/start', 'containers.exec'],
    ['POST', '/exec/e1/resize?h=40&w=120', 'containers.exec'],
    ['POST', '/containers/abc/attach?stream=1', 'containers.exec'],
    ['POST', '/containers/create?name=web', 'containers.manage'],
    ['DELETE', '/containers/abc?force=1', 'containers.manage'],
    ['POST', '/images/create?fromImage=busybox', 'images.manage'],
    ['POST', '/build', 'images.manage'],
    ['DELETE', '/images/registry:5000/app:1', 'images.manage'],
    ['POST', '/images/registry:5000/app/tag?repo=x', 'images.manage'],
    ['POST', '/volumes/create', 'volumes.manage'],
    ['DELETE', '/volumes/data', 'volumes.manage'],
    ['POST', '/networks/n1/connect', 'networks.manage'],
    ['POST', '/swarm/init', 'environment.update'],
    ['POST', '/plugins/pull', 'environment.update'],
    ['PUT', '/some/future/endpoint', 'environment.update'],
  ])('%s %s needs %s', (method, path, want) => {
    expect(dockerPermission(method, path)).toBe(want);
  });

  it('matches the issue: read-only lists but cannot create, helpdesk cannot exec', () => {
    const can = (role: keyof typeof ROLES, p: Permission) => (ROLES[role].permissions).includes(p);
    expect(can('readonly', dockerPermission('GET', '/containers/json'))).toBe(true);
    expect(can('readonly', dockerPermission('POST', '/containers/create'))).toBe(false);
    expect(can('helpdesk', dockerPermission('POST', '/containers/abc/exec'))).toBe(false);
    expect(can('helpdesk', dockerPermission('GET', '/containers/abc/logs'))).toBe(true);
    expect(can('operator', dockerPermission('POST', '/containers/abc/restart'))).toBe(true);
    expect(can('operator', dockerPermission('DELETE', '/containers/abc'))).toBe(false);
  });

  it('strips only a leading version segment', () => {
    expect(unversioned('/v1.41/info')).toBe('/info');
    expect(unversioned('/v2/info')).toBe('/info');
    expect(unversioned('/volumes/v1.41')).toBe('/volumes/v1.41');
  });
});

import { describe, expect, it } from 'vitest';
import type { Environment, MeResponse, Team, User } from '@capstan/protocol';
import { environmentRows, environmentSummary } from './env.ts';
import { whoamiLines, withoutToken } from './login.ts';
import { teamRows } from './team.ts';
import { userRows, userStatus } from './user.ts';

const at = '2026-01-01T00:00:00.000Z';
const user: User = {
  id: 2,
  username: 'bob',
  isAdmin: false,
  disabled: false,
  lockedUntil: null,
  createdAt: at,
  updatedAt: at,
};

describe('environmentRows', () => {
  it('shows a dash for no group and no tags, and tag names otherwise', () => {
    const env: Environment = {
      id: 1,
      name: 'prod',
      groupId: null,
      tags: [],
      mode: 'standard',
      status: 'pending',
      lastSeenAt: null,
      agentVersion: null,
      engineVersion: null,
      containers: null,
      stateAsOf: null,
      pollIntervalSeconds: 60,
      lastPollAt: null,
      nextPollAt: null,
      queueLength: 0,
      createdAt: at,
      updatedAt: at,
    };
    expect(
      environmentRows([
        env,
        {
          ...env,
          id: 2,
          groupId: 7,
          tags: [
            { id: 1, name: 'eu' },
            { id: 2, name: 'db' },
          ],
          status: 'up',
          lastSeenAt: at,
          containers: { total: 5, running: 4, stopped: 1, unhealthy: 1 },
        },
      ]),
    ).toEqual([
      ['1', 'prod', 'pending', 'standard', '-', '-', '-', '-', '-', '-', '-'],
      ['2', 'prod', 'up', 'standard', '7', 'eu,db', '4/5 (1 unhealthy)', '-', at, '-', '-'],
    ]);
  });

  it('shows the state age, next poll and queue of async environments only', () => {
    const next = '2026-01-01T00:01:00.000Z';
    const env: Environment = {
      id: 3,
      name: 'ship',
      groupId: null,
      tags: [],
      mode: 'async',
      status: 'up',
      lastSeenAt: at,
      agentVersion: '1.0.0',
      engineVersion: '24.0',
      containers: null,
      stateAsOf: at,
      pollIntervalSeconds: 300,
      lastPollAt: at,
      nextPollAt: next,
      queueLength: 4,
      createdAt: at,
      updatedAt: at,
    };
    expect(environmentRows([env, { ...env, nextPollAt: null, queueLength: 0 }, { ...env, mode: 'standard' }])).toEqual([
      ['3', 'ship', 'up', 'async', '-', '-', '-', at, at, next, '4'],
      ['3', 'ship', 'up', 'async', '-', '-', '-', at, at, '-', '0'],
      ['3', 'ship', 'up', 'standard', '-', '-', '-', '-', at, '-', '-'],
    ]);
    expect(environmentSummary(env)).toBe('environment 3 "ship": mode async, polls every 300 s\n');
    expect(environmentSummary({ ...env, mode: 'standard' })).toBe('environment 3 "ship": mode standard\n');
  });
});

describe('userStatus', () => {
  const now = Date.parse(at);
  it('reports disabled before locked, and a lockout only while it lasts', () => {
    expect(userStatus(user, now)).toBe('active');
    expect(userStatus({ ...user, disabled: true, lockedUntil: '2026-01-02T00:00:00.000Z' }, now)).toBe(
      'disabled',
    );
    expect(userStatus({ ...user, lockedUntil: '2026-01-02T00:00:00.000Z' }, now)).toBe(
      'locked until 2026-01-02T00:00:00.000Z',
    );
    expect(userStatus({ ...user, lockedUntil: '2025-12-31T00:00:00.000Z' }, now)).toBe('active');
  });

  it('renders rows', () => {
    expect(userRows([{ ...user, isAdmin: true }], now)).toEqual([['2', 'bob', 'yes', 'active', at]]);
  });
});

describe('teamRows', () => {
  it('lists member ids', () => {
    const team: Team = { id: 3, name: 'ops', memberIds: [1, 2], createdAt: at };
    expect(teamRows([team, { ...team, memberIds: [] }])).toEqual([
      ['3', 'ops', '1,2'],
      ['3', 'ops', '-'],
    ]);
  });
});

describe('session output', () => {
  it('keeps the token out of --json login output', () => {
    expect(withoutToken({ token: 'secret', expiresAt: at })).toEqual({ expiresAt: at });
    expect(withoutToken('x')).toBe('x');
  });

  it('describes a non-admin caller with roles', () => {
    const me: MeResponse = {
      user,
      authMethod: 'api_key',
      readOnly: true,
      permissions: ['self.read'],
      environmentRoles: [{ environmentId: 4, roles: ['operator'] }],
      groupRoles: [],
    };
    expect(whoamiLines(me, 'https://h')).toBe(
      'user           bob (id 2)\n' +
        'role           user\n' +
        'auth           API key (read-only)\n' +
        'server         https://h\n' +
        'permissions    self.read\n' +
        'environment 4  operator\n',
    );
  });
});

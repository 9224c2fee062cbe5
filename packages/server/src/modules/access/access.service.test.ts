import { describe, expect, it } from 'vitest';
import type { Principal } from '../../http/context.ts';
import type { AccessRepository } from './access.repository.ts';
import { AccessService } from './access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';

// Plain-data stand-in for the repository: user N holds readonly on environment N.
function repo(calls: number[]): AccessRepository {
  return {
    assignmentsForUser: (userId: number) => {
      calls.push(userId);
      return Promise.resolve([{ scopeType: 'environment' as const, scopeId: userId, role: 'readonly' }]);
    },
    environmentGroup: (id: number) => Promise.resolve(id < 100 ? { groupId: null } : undefined),
  } as unknown as AccessRepository;
}

const user = (id: number): Principal => ({
  userId: id,
  username: `u${id}`,
  isAdmin: false,
  authMethod: 'session',
  sessionId: 's',
  apiKeyId: null,
  readOnly: false,
});

describe('AccessService grants cache', () => {
  it('keeps at most the configured number of users, dropping the least recently used', async () => {
    const calls: number[] = [];
    const access = new AccessService(repo(calls), {} as AuditService, 2);
    await access.authorize(user(1), 'docker.read', 1);
    await access.authorize(user(2), 'docker.read', 2);
    await access.authorize(user(1), 'docker.read', 1); // cached, and now most recent
    await access.authorize(user(3), 'docker.read', 3); // evicts user 2
    await access.authorize(user(1), 'docker.read', 1);
    await access.authorize(user(2), 'docker.read', 2);
    expect(calls).toEqual([1, 2, 3, 2]);
  });

  it('refuses another user\'s environment and hides whether an id exists', async () => {
    const access = new AccessService(repo([]), {} as AuditService);
    await expect(access.authorize(user(1), 'docker.read', 2)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(access.authorize(user(1), 'docker.read', 500)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(access.authorize({ ...user(1), isAdmin: true }, 'docker.read', 500)).rejects.toMatchObject({ code: 'not_found' });
  });
});

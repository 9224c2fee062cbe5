import type { Registry } from '@capstan/protocol';
import { describe, expect, it } from 'vitest';
import { createBody, draftOf, scopesNothing, updateBody } from './registryForm.ts';

const stored: Registry = {
  id: 1,
  name: 'Harbor',
  host: 'harbor.example.com',
  username: 'robot',
  insecure: false,
  scope: { environmentIds: [3, 1], groupIds: [] },
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
};

describe('registry form', () => {
  it('never pre-fills the password', () => {
    expect(draftOf(stored).password).toBe('');
  });
  it('creates with scope null for every environment', () => {
    const d = { ...draftOf(), name: ' Hub ', host: 'docker.io', username: 'me', password: 'secret' };
    expect(createBody(d)).toEqual({ name: 'Hub', host: 'docker.io', username: 'me', password: 'secret', insecure: false, scope: null });
  });
  it('sends nothing when nothing changed, scope order aside', () => {
    expect(updateBody({ ...draftOf(stored), environmentIds: [1, 3] }, stored)).toBeNull();
  });
  it('keeps the stored password when the field is empty, replaces it otherwise', () => {
    expect(updateBody({ ...draftOf(stored), username: 'robot2' }, stored)).toEqual({ username: 'robot2' });
    expect(updateBody({ ...draftOf(stored), password: 'new' }, stored)).toEqual({ password: 'new' });
  });
  it('opens or narrows the scope', () => {
    expect(updateBody({ ...draftOf(stored), scoped: false }, stored)).toEqual({ scope: null });
    expect(updateBody({ ...draftOf(stored), groupIds: [2] }, stored)).toEqual({ scope: { environmentIds: [1, 3], groupIds: [2] } });
  });
  it('flags a scope that allows nothing', () => {
    expect(scopesNothing({ ...draftOf(), scoped: true })).toBe(true);
    expect(scopesNothing(draftOf(stored))).toBe(false);
  });
});

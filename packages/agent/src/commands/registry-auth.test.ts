import { describe, expect, it } from 'vitest';
import { credentialsFor, pullError, registryAuthHeader } from './registry-auth.ts';

const hub = { serverAddress: 'docker.io', username: 'hubuser', password: 'hub secret' };
const own = { serverAddress: '127.0.0.1:5000', username: 'ci', password: 'p+/w?==' };

describe('credentialsFor', () => {
  it('picks the credentials of the registry the image names, docker.io for unqualified names', () => {
    expect(credentialsFor('127.0.0.1:5000/app:1', [hub, own])).toBe(own);
    expect(credentialsFor('busybox', [own, hub])).toBe(hub);
    expect(credentialsFor('someone/app', [own, hub])).toBe(hub);
    expect(credentialsFor('ghcr.io/org/app', [own, hub])).toBeNull();
    expect(credentialsFor('127.0.0.1:5001/app', [own])).toBeNull();
    const legacyHub = { ...hub, serverAddress: 'https://index.docker.io/v1/' };
    expect(credentialsFor('busybox', [legacyHub])).toBe(legacyHub);
  });
});

describe('registryAuthHeader', () => {
  it('is URL-safe base64 of the engine auth config, padding kept', () => {
    const value = registryAuthHeader(own);
    expect(value).not.toMatch(/[+/]/);
    const decoded = JSON.parse(Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
    expect(decoded).toEqual({ username: 'ci', password: 'p+/w?==', serveraddress: '127.0.0.1:5000' });
  });
});

describe('pullError', () => {
  const refusal = 'Head "http://127.0.0.1:5000/v2/app/manifests/1": unauthorized: authentication required';

  it('names the registry and user whose credentials were refused, never the password', () => {
    const e = pullError('127.0.0.1:5000/app:1', refusal, own);
    expect(e.code).toBe('registry_auth_failed');
    expect(e.message).toContain('127.0.0.1:5000 refused the credentials of user "ci"');
    expect(e.message).not.toContain(own.password);
  });

  it('says credentials are missing when none were sent', () => {
    const e = pullError('127.0.0.1:5000/app:1', 'no basic auth credentials', null);
    expect(e.code).toBe('registry_auth_required');
    expect(e.message).toContain('add a registry definition with credentials for 127.0.0.1:5000');
  });

  it('leaves other failures as pull_failed', () => {
    expect(pullError('busybox:nope', 'manifest for busybox:nope not found', null)).toEqual({ code: 'pull_failed', message: 'cannot pull busybox:nope: manifest for busybox:nope not found' });
  });
});

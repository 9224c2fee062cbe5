import { describe, expect, it } from 'vitest';
import { apiHost, appliesTo, parseChallenge, tokenUrl } from './registries.policy.ts';

describe('appliesTo', () => {
  it('opens an unscoped registry to every environment and a scoped one to its environments and groups only', () => {
    expect(appliesTo(null, 1, null)).toBe(true);
    const scope = { environmentIds: [1], groupIds: [7] };
    expect(appliesTo(scope, 1, null)).toBe(true);
    expect(appliesTo(scope, 2, 7)).toBe(true);
    expect(appliesTo(scope, 2, 8)).toBe(false);
    expect(appliesTo(scope, 2, null)).toBe(false);
    expect(appliesTo({ environmentIds: [], groupIds: [] }, 1, 7)).toBe(false);
  });
});

describe('apiHost', () => {
  it('sends Docker Hub checks to its API host and others to themselves', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('parseChallenge', () => {
  it('reads Basic and Bearer challenges', () => {
    expect(parseChallenge('Basic realm="capstan-test"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')).toEqual({
      scheme: 'bearer',
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: null,
    });
    expect(parseChallenge('bearer realm=https://r.example/token, service="a \\"b\\"", scope="repository:x:pull"')).toEqual({
      scheme: 'bearer',
      realm: 'https://r.example/token',
      service: 'a "b"',
      scope: 'repository:x:pull',
    });
  });

  it('calls anything else unknown, including a bearer challenge without an http(s) realm', () => {
    expect(parseChallenge(undefined)).toEqual({ scheme: 'unknown', raw: '' });
    expect(parseChallenge('Negotiate')).toEqual({ scheme: 'unknown', raw: 'Negotiate' });
    expect(parseChallenge('Bearer service="x"').scheme).toBe('unknown');
    expect(parseChallenge('Bearer realm="file:///etc/passwd"').scheme).toBe('unknown');
  });
});

describe('tokenUrl', () => {
  it('adds service, scope and account to the realm', () => {
    const url = tokenUrl({ realm: 'https://auth.example/token?x=1', service: 'reg', scope: null }, 'ci user');
    expect(url.toString()).toBe('https://auth.example/token?x=1&service=reg&account=ci+user');
  });
});

import { describe, expect, it } from 'vitest';
import { parseRegistryAddress, registryHostOf } from './registry-host.ts';

describe('parseRegistryAddress', () => {
  it.each([
    ['registry.example.com', 'registry.example.com'],
    ['Registry.Example.COM:5000', 'registry.example.com:5000'],
    ['  https://registry.example.com:443/  ', 'registry.example.com:443'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['localhost', 'localhost'],
    ['localhost:5000', 'localhost:5000'],
    ['myregistry:5000', 'myregistry:5000'],
    ['[::1]:5000', '[::1]:5000'],
  ])('%s → %s', (input, want) => {
    expect(parseRegistryAddress(input)).toBe(want);
  });

  it.each(['', 'fuzz', 'registry', 'a b.com', 'example.com:0', 'example.com:70000', 'example.com/project', 'ftp://example.com', '-a.com', 'a..com', `${'a'.repeat(64)}.com`, 'example.com:'])(
    'refuses %j',
    (input) => {
      expect(parseRegistryAddress(input)).toBeNull();
    },
  );
});

describe('registryHostOf', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['busybox:1.36', 'docker.io'],
    ['library/busybox', 'docker.io'],
    ['someone/app:1', 'docker.io'],
    ['docker.io/someone/app', 'docker.io'],
    ['index.docker.io/someone/app', 'docker.io'],
    ['ghcr.io/org/app:1', 'ghcr.io'],
    ['127.0.0.1:5000/app:1', '127.0.0.1:5000'],
    ['Registry.Example.com:5000/team/app@sha256:abcd', 'registry.example.com:5000'],
    ['localhost/app', 'localhost'],
    ['myregistry:5000/app', 'myregistry:5000'],
    ['app@sha256:abcd', 'docker.io'],
  ])('%s → %s', (image, want) => {
    expect(registryHostOf(image)).toBe(want);
  });
});

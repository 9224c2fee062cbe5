import { describe, expect, it } from 'vitest';
import { registryKind } from './registryKind.ts';

describe('registryKind', () => {
  it('names hosted registries', () => {
    expect(registryKind('docker.io')).toBe('Docker Hub');
    expect(registryKind('ghcr.io')).toBe('GitHub');
    expect(registryKind('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe('Amazon ECR');
    expect(registryKind('europe-west1-docker.pkg.dev')).toBe('Google');
    expect(registryKind('eu.gcr.io')).toBe('Google');
    expect(registryKind('myco.azurecr.io')).toBe('Azure');
  });
  it('calls anything else private, ports included', () => {
    expect(registryKind('registry.example.com:5000')).toBe('Private');
    expect(registryKind('localhost:5000')).toBe('Private');
    expect(registryKind('notghcr.io')).toBe('Private');
  });
});

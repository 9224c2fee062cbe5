import { describe, expect, it } from 'vitest';
import type { GlobalOptions } from './args.ts';
import type { StoredConfig } from './config-file.ts';
import { CliError } from './errors.ts';
import { normalizeUrl, resolveTarget } from './target.ts';

const none: GlobalOptions = {
  json: false,
  help: false,
  config: undefined,
  url: undefined,
  apiKey: undefined,
  insecure: false,
  caFile: undefined,
};
const stored: StoredConfig = {
  url: 'https://a.example:9443',
  token: 'tok',
  insecure: true,
  caFile: '/ca.pem',
};

describe('normalizeUrl', () => {
  it('drops trailing slashes and keeps a path prefix', () => {
    expect(normalizeUrl('https://h:9443/')).toBe('https://h:9443');
    expect(normalizeUrl('https://h/capstan/')).toBe('https://h/capstan');
  });

  it('assumes https when no scheme is given', () => {
    expect(normalizeUrl('127.0.0.1:9443')).toBe('https://127.0.0.1:9443');
  });

  it('refuses other schemes, queries and credentials', () => {
    expect(normalizeUrl('ftp://h')).toBeNull();
    expect(normalizeUrl('https://h/?a=1')).toBeNull();
    expect(normalizeUrl('https://u:p@h')).toBeNull();
    expect(normalizeUrl('https://')).toBeNull();
  });
});

describe('resolveTarget', () => {
  it('uses the stored server, token and TLS settings by default', () => {
    expect(resolveTarget(none, {}, stored, '/w')).toEqual({
      url: 'https://a.example:9443',
      apiKey: null,
      token: 'tok',
      insecure: true,
      caFile: '/ca.pem',
    });
  });

  it('never sends the stored token or trust settings to another server', () => {
    const target = resolveTarget({ ...none, url: 'https://b.example' }, {}, stored, '/w');
    expect(target).toEqual({
      url: 'https://b.example',
      apiKey: null,
      token: null,
      insecure: false,
      caFile: null,
    });
  });

  it('takes CAPSTAN_URL and CAPSTAN_API_KEY when no flags are given; an API key replaces the session', () => {
    const target = resolveTarget(
      none,
      { CAPSTAN_URL: 'https://a.example:9443/', CAPSTAN_API_KEY: 'cap_k' },
      stored,
      '/w',
    );
    expect(target.url).toBe('https://a.example:9443');
    expect(target.apiKey).toBe('cap_k');
    expect(target.token).toBeNull();
  });

  it('lets flags win over the environment and resolves --ca-file', () => {
    const target = resolveTarget(
      { ...none, url: 'https://c', apiKey: 'flag-key', caFile: 'ca.pem' },
      { CAPSTAN_URL: 'https://d', CAPSTAN_API_KEY: 'env-key' },
      null,
      '/w',
    );
    expect(target).toEqual({
      url: 'https://c',
      apiKey: 'flag-key',
      token: null,
      insecure: false,
      caFile: '/w/ca.pem',
    });
  });

  it('asks for a login when no server is known', () => {
    expect(() => resolveTarget(none, {}, null, '/w')).toThrow(CliError);
    expect(() => resolveTarget(none, {}, null, '/w')).toThrow(/capstan login/);
  });
});

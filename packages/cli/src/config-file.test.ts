import { describe, expect, it } from 'vitest';
import { resolveConfigPath, StoredConfigSchema } from './config-file.ts';

const home = '/home/ada';
const cwd = '/work';

describe('resolveConfigPath', () => {
  it('prefers the --config flag, resolved against the working directory', () => {
    expect(
      resolveConfigPath({
        flag: 'cfg.json',
        env: { CAPSTAN_CONFIG: '/etc/c.json', XDG_CONFIG_HOME: '/x' },
        home,
        cwd,
      }),
    ).toBe('/work/cfg.json');
  });

  it('then CAPSTAN_CONFIG', () => {
    expect(
      resolveConfigPath({
        flag: undefined,
        env: { CAPSTAN_CONFIG: '/etc/c.json', XDG_CONFIG_HOME: '/x' },
        home,
        cwd,
      }),
    ).toBe('/etc/c.json');
  });

  it('then $XDG_CONFIG_HOME/capstan/config.json', () => {
    expect(resolveConfigPath({ flag: undefined, env: { XDG_CONFIG_HOME: '/x' }, home, cwd })).toBe(
      '/x/capstan/config.json',
    );
  });

  it('falls back to ~/.config/capstan/config.json', () => {
    expect(resolveConfigPath({ flag: undefined, env: {}, home, cwd })).toBe(
      '/home/ada/.config/capstan/config.json',
    );
  });

  it('ignores empty variables and a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    expect(
      resolveConfigPath({ flag: undefined, env: { CAPSTAN_CONFIG: '', XDG_CONFIG_HOME: 'rel' }, home, cwd }),
    ).toBe('/home/ada/.config/capstan/config.json');
  });
});

describe('StoredConfigSchema', () => {
  it('fills defaults for a file that holds only the URL', () => {
    expect(StoredConfigSchema.parse({ url: 'https://h:9443' })).toEqual({
      url: 'https://h:9443',
      token: null,
      insecure: false,
      caFile: null,
    });
  });

  it('rejects a file without a URL', () => {
    expect(StoredConfigSchema.safeParse({ token: 't' }).success).toBe(false);
  });
});

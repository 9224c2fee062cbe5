import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, envName, loadConfig } from './config.ts';
import { parseDuration } from './duration.ts';

const cwd = mkdtempSync(path.join(tmpdir(), 'capstan-config-'));

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    loadConfig(argv, env, cwd);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig', () => {
  it('gives the embedded defaults with no flags and no variables', () => {
    const c = loadConfig([], {}, cwd);
    expect(c).toMatchObject({
      dataDir: path.join(cwd, 'data'),
      port: 9443,
      httpPort: null,
      tlsCert: null,
      databaseUrl: null,
      setupWindowMs: 300_000,
      logLevel: 'info',
    });
  });

  it('reads CAPSTAN_* variables and lets flags win', () => {
    const c = loadConfig(['--port', '9555', '--log-level=warn'], { CAPSTAN_PORT: '9000', CAPSTAN_HTTP_PORT: '8080' }, cwd);
    expect(c.port).toBe(9555);
    expect(c.httpPort).toBe(8080);
    expect(c.logLevel).toBe('warn');
  });

  it('reports every problem at once, each naming its source and the fix', () => {
    const list = problems(['--port', 'abc', '--bogus', '1', '--session-ttl', 'forever', '--tls-cert', '/nope.pem'], {
      CAPSTAN_DATABASE_URL: 'mysql://x',
      CAPSTAN_LOG_LEVEL: 'loud',
    });
    expect(list).toHaveLength(6);
    expect(list.join('\n')).toContain('--port: must be a port number between 1 and 65535, got "abc"');
    expect(list.join('\n')).toContain('unknown option --bogus');
    expect(list.join('\n')).toContain('--session-ttl: must be a duration such as 30s, 15m or 12h');
    expect(list.join('\n')).toContain('--tls-cert: file /nope.pem does not exist');
    expect(list.join('\n')).toContain('CAPSTAN_DATABASE_URL: must be a PostgreSQL URL');
    expect(list.join('\n')).toContain('CAPSTAN_LOG_LEVEL: must be one of');
  });

  it('requires the certificate and key together', () => {
    const cert = path.join(cwd, 'c.pem');
    writeFileSync(cert, 'x');
    expect(problems(['--tls-cert', cert])).toEqual([
      '--tls-cert and --tls-key go together: give both (custom certificate) or neither (self-signed)',
    ]);
  });

  it('refuses a flag without a value and a bare argument', () => {
    expect(problems(['--port'])).toEqual(['--port: needs a value']);
    expect(problems(['--port', '--http-port', '80'])).toEqual(['--port: needs a value']);
    expect(problems(['serve'])).toEqual(['unexpected argument "serve": options are written --name value']);
  });

  it('takes the template catalogue from the shipped file unless a URL is given, and checks the URL', () => {
    expect(loadConfig([], {}, cwd)).toMatchObject({ templatesUrl: null, templatesRefreshMs: 3_600_000, templatesFile: expect.stringMatching(/templates\/default\.json$/) });
    expect(loadConfig(['--templates-url', 'https://example.com/c.json?token=x'], {}, cwd).templatesUrl).toBe('https://example.com/c.json?token=x');
    expect(problems(['--templates-url', 'ftp://example.com/c.json'])).toEqual(['--templates-url: must be an http:// or https:// URL, got "ftp://example.com/c.json"']);
    expect(problems(['--templates-url', 'https://u:p@example.com/'])).toEqual(['--templates-url: must not contain a user name or password']);
  });

  it('derives variable names from flags', () => {
    expect(envName('admin-password-file')).toBe('CAPSTAN_ADMIN_PASSWORD_FILE');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30', 30_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1.5h', 5_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'h', '-5s', '5 minutes', '1e3'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());
  it('takes --public-url as an http(s) origin and refuses anything else', () => {
    expect(loadConfig([], {}, cwd).publicUrl).toBeNull();
    expect(loadConfig(['--public-url', 'https://Capstan.Example.com:9443/'], {}, cwd).publicUrl).toBe('https://capstan.example.com:9443');
    expect(loadConfig([], { CAPSTAN_PUBLIC_URL: 'http://10.0.0.5:9080' }, cwd).publicUrl).toBe('http://10.0.0.5:9080');
    for (const bad of ['capstan.example.com', 'ftp://capstan.example.com', 'https://', 'https://u:p@h', 'https://h/path', 'https://h?x=1']) {
      expect(problems(['--public-url', bad]), bad).toEqual([expect.stringMatching(/^--public-url: /)]);
    }
  });
});

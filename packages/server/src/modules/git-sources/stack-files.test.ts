import { describe, expect, it } from 'vitest';
import { collectStackFiles, composeReferences, resolveRepoPath, type FileReader } from './stack-files.ts';

const reader =
  (repo: Record<string, string>): FileReader =>
  (paths) =>
    Promise.resolve({
      files: Object.fromEntries(paths.filter((p) => p in repo).map((p) => [p, repo[p] as string])),
      missing: paths.filter((p) => !(p in repo)),
    });

describe('resolveRepoPath', () => {
  it('resolves against the compose file directory and refuses escapes', () => {
    expect(resolveRepoPath('apps/web/compose.yaml', './web.env')).toBe('apps/web/web.env');
    expect(resolveRepoPath('apps/web/compose.yaml', '../shared/common.env')).toBe('apps/shared/common.env');
    expect(resolveRepoPath('compose.yaml', '../outside.env')).toBeNull();
    expect(resolveRepoPath('compose.yaml', '/etc/passwd')).toBeNull();
    expect(resolveRepoPath('compose.yaml', '${ENV_FILE}')).toBeNull();
    expect(resolveRepoPath('compose.yaml', '~/x.env')).toBeNull();
  });
});

describe('composeReferences', () => {
  it('finds env_file (all forms), configs/secrets files, include, extends and the implicit .env', () => {
    const yaml = `
include:
  - ./base.yaml
  - path: [./more.yaml]
    env_file: ./more.env
services:
  web:
    image: nginx
    env_file: ./web.env
    extends: { file: ./common.yaml, service: base }
  db:
    image: postgres
    env_file:
      - db.env
      - path: ./optional.env
        required: false
configs:
  site: { file: ./nginx.conf }
  other: { external: true }
secrets:
  pw: { file: ../secrets/pw.txt }
`;
    const refs = composeReferences('stack/compose.yaml', yaml, true);
    expect(refs.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'secrets/pw.txt', required: true, compose: false },
      { path: 'stack/.env', required: false, compose: false },
      { path: 'stack/base.yaml', required: true, compose: true },
      { path: 'stack/common.yaml', required: true, compose: true },
      { path: 'stack/db.env', required: true, compose: false },
      { path: 'stack/more.env', required: true, compose: false },
      { path: 'stack/more.yaml', required: true, compose: true },
      { path: 'stack/nginx.conf', required: true, compose: false },
      { path: 'stack/optional.env', required: false, compose: false },
      { path: 'stack/web.env', required: true, compose: false },
    ]);
  });

  it('yields nothing for YAML it cannot parse, and no implicit .env for included files', () => {
    expect(composeReferences('compose.yaml', 'services: [unclosed', true)).toEqual([]);
    expect(composeReferences('compose.yaml', 'services: {}', false)).toEqual([]);
  });
});

describe('collectStackFiles', () => {
  it('follows references through included files and lists absent optional files as paths', async () => {
    const repo = {
      'compose.yaml': 'include: [./inc/base.yaml]\nservices:\n  web:\n    image: x\n    env_file: web.env\n',
      'inc/base.yaml': 'services:\n  db:\n    image: y\n    env_file: ./db.env\n',
      'inc/db.env': 'A=1\n',
      'web.env': 'B=2\n',
      'README.md': 'other',
      'extra.txt': 'configured',
    };
    const got = await collectStackFiles(reader(repo), 'compose.yaml', ['extra.txt']);
    expect(got.missing).toEqual([]);
    expect(Object.keys(got.files).sort()).toEqual(['compose.yaml', 'extra.txt', 'inc/base.yaml', 'inc/db.env', 'web.env']);
    expect(got.paths).toEqual(['.env', 'compose.yaml', 'extra.txt', 'inc/base.yaml', 'inc/db.env', 'web.env']);
  });

  it('reports required files that are absent', async () => {
    const got = await collectStackFiles(reader({ 'compose.yaml': 'services:\n  web:\n    env_file: gone.env\n' }), 'compose.yaml', []);
    expect(got.missing).toEqual(['gone.env']);
    const none = await collectStackFiles(reader({}), 'compose.yaml', []);
    expect(none.missing).toEqual(['compose.yaml']);
  });
});

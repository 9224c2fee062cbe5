import { describe, expect, it } from 'vitest';
import { classifyGitError, GIT_REF, isRepoPath } from './git.client.ts';
import { toStackFiles } from './git-sources.sync.ts';

describe('classifyGitError', () => {
  it('tells credentials, missing refs and unreachable servers apart', () => {
    expect(classifyGitError("fatal: Authentication failed for 'https://example.com/x.git/'")).toBe('auth');
    expect(classifyGitError("fatal: could not read Username for 'https://example.com': terminal prompts disabled")).toBe('auth');
    expect(classifyGitError('git@example.com: Permission denied (publickey).')).toBe('auth');
    expect(classifyGitError('fatal: couldn\'t find remote ref nope')).toBe('not_found');
    expect(classifyGitError('remote: Repository not found.')).toBe('not_found');
    expect(classifyGitError("fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1")).toBe('unreachable');
    expect(classifyGitError('ssh: Could not resolve hostname nowhere.invalid: Name or service not known')).toBe('unreachable');
    expect(classifyGitError('fatal: something else entirely')).toBe('other');
  });
});

describe('refs and paths', () => {
  it('accepts branches, tags, full refs and commit ids; refuses options, ranges and reflog syntax', () => {
    for (const ok of ['main', 'release/1.2', 'refs/heads/main', 'v1.0.0', 'a'.repeat(40)]) expect(GIT_REF.test(ok), ok).toBe(true);
    for (const bad of ['-main', '--upload-pack=x', 'a..b', 'main@{1}', 'x.lock', 'dir/', 'a//b', 'has space', 'x:y', '']) expect(GIT_REF.test(bad), bad).toBe(false);
  });

  it('accepts relative repository paths only', () => {
    expect(isRepoPath('deploy/compose.yaml')).toBe(true);
    for (const bad of ['/etc/passwd', '../x', 'a/../b', './a', 'a//b', 'a\\b', '']) expect(isRepoPath(bad), bad).toBe(false);
  });

  it('keys a stack\'s files relative to the compose folder and refuses files outside it', () => {
    expect(toStackFiles('deploy/compose.yaml', { 'deploy/compose.yaml': 'c', 'deploy/env/app.env': 'e' })).toEqual({
      mainFile: 'compose.yaml',
      files: { 'compose.yaml': 'c', 'env/app.env': 'e' },
    });
    expect(toStackFiles('compose.yaml', { 'compose.yaml': 'c', 'x/y.env': 'e' }).files).toEqual({ 'compose.yaml': 'c', 'x/y.env': 'e' });
    expect(() => toStackFiles('deploy/compose.yaml', { 'deploy/compose.yaml': 'c', 'shared/common.env': 'e' })).toThrow(/outside the compose file's folder deploy\//);
  });
});

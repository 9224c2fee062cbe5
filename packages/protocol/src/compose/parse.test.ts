import { describe, expect, it } from 'vitest';
import { ComposeProjectSchema, type ComposeIssue } from './model.ts';
import { parseCompose, type ParseComposeInput } from './parse.ts';

const parse = (yaml: string, more: Partial<ParseComposeInput> = {}): ReturnType<typeof parseCompose> =>
  parseCompose({
    mainFile: 'compose.yml',
    projectName: 'demo',
    variables: {},
    ...more,
    files: { 'compose.yml': yaml, ...more.files },
  });
const errors = (issues: ComposeIssue[]): ComposeIssue[] => issues.filter((i) => i.severity === 'error');
const warnings = (issues: ComposeIssue[]): ComposeIssue[] => issues.filter((i) => i.severity === 'warning');
const IMG = 'capstan-test/busybox:latest';

describe('parseCompose', () => {
  it('reads newer compose-spec keys: pids, create_host_path, tmpfs mode, env_file required, secrets from variables, inline configs', () => {
    const { project, issues } = parse(
      `
services:
  app:
    image: ${IMG}
    env_file:
      - path: ./optional.env
        required: false
    deploy:
      resources:
        limits: { pids: 100 }
    volumes:
      - type: bind
        source: ./state
        target: /state
        bind: { create_host_path: true }
      - type: tmpfs
        target: /run/app
        tmpfs: { size: 1m, mode: 1777 }
    secrets: [token]
    configs: [motd]
secrets:
  token: { environment: API_TOKEN }
configs:
  motd: { content: "hello" }
`,
      { variables: { API_TOKEN: 't0k' } },
    );
    expect(issues).toEqual([]);
    const app = project?.services.app;
    expect(app?.limits.pids).toBe(100);
    expect(app?.mounts[0]).toMatchObject({ type: 'bind', source: './state', createHostPath: true });
    expect(app?.mounts[1]).toMatchObject({ type: 'tmpfs', tmpfsSizeBytes: 1024 * 1024, tmpfsMode: 0o1777 });
    expect(project?.secrets.token).toEqual({ contentBase64: btoa('t0k') });
    expect(project?.configs.motd).toEqual({ contentBase64: btoa('hello') });
    expect(app?.configs).toEqual([{ source: 'motd', target: '/motd', mode: null }]);
  });

  it('lets the stack variables win over .env, and reads COMPOSE_PROFILES when no profiles are given', () => {
    const yaml = `services:\n  app:\n    image: ${IMG}\n    environment: ['A=\${A}', 'B=\${B}']\n  extra:\n    image: ${IMG}\n    profiles: [x]\n`;
    const { project } = parse(yaml, {
      files: { '.env': 'A=from-env\nB=from-env\nCOMPOSE_PROFILES=x\n' },
      variables: { B: 'from-vars' },
    });
    expect(project?.services.app?.environment).toEqual({ A: 'from-env', B: 'from-vars' });
    expect(Object.keys(project?.services ?? {})).toEqual(['app', 'extra']);
    expect(Object.keys(parse(yaml, { profiles: [] }).project?.services ?? {})).toEqual(['app']);
  });

  it('resolves referenced files relative to the compose file directory', () => {
    const { project, issues } = parseCompose({
      files: {
        'deploy/compose.yml': `services:\n  app:\n    image: ${IMG}\n    env_file: ../shared/app.env\n`,
        'shared/app.env': 'X=1\n',
      },
      mainFile: 'deploy/compose.yml',
      projectName: 'demo',
      variables: {},
    });
    expect(issues).toEqual([]);
    expect(project?.services.app?.environment).toEqual({ X: '1' });
  });

  it('checks the project name', () => {
    const { project, issues } = parse(`services:\n  app:\n    image: ${IMG}\n`, { projectName: 'My App' });
    expect(project).toBeNull();
    expect(issues).toMatchObject([
      { severity: 'error', path: 'name', line: null, message: expect.stringContaining('lower-case') },
    ]);
  });

  it('warns, with positions, about what it accepts but does not apply', () => {
    const { project, issues } = parse(
      `name: other
services:
  app:
    image: ${IMG}
    build: .
    restart: no
    ports:
      - 22:22
    platform: linux/amd64
    command: echo $UNSET_VAR
    deploy:
      update_config: { parallelism: 1 }
      placement: { constraints: [node.role == manager] }
`,
    );
    expect(errors(issues)).toEqual([]);
    expect(warnings(issues).map((w) => [w.line, w.column, w.path])).toEqual([
      [1, 7, 'name'],
      [5, 5, 'services.app.build'],
      [6, 14, 'services.app.restart'],
      [8, 9, 'services.app.ports[0]'],
      [9, 5, 'services.app.platform'],
      [10, 19, 'services.app.command'],
      [12, 7, 'services.app.deploy.update_config'],
      [13, 20, 'services.app.deploy.placement.constraints'],
    ]);
    expect(project?.services.app).toMatchObject({
      restart: 'no',
      command: ['echo'],
      ports: [{ target: 22, published: '22' }],
    });
  });

  it('ignores version and x- extension keys at every level', () => {
    const { project, issues } = parse(
      `version: "3.8"\nx-top: { anything: [1, 2] }\nservices:\n  app:\n    image: ${IMG}\n    x-note: hi\n  x-not-a-service: {}\nnetworks:\n  x-meta: 1\n`,
    );
    expect(issues).toEqual([]);
    expect(Object.keys(project?.services ?? {})).toEqual(['app']);
  });

  it('keeps a YAML alias bomb bounded and reports it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    const { project, issues } = parse(bomb.join('\n'));
    expect(project).toBeNull();
    expect(errors(issues)[0]?.message).toMatch(/too large|aliases/);
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(parse('').issues).toMatchObject([
      { line: 1, column: 1, message: expect.stringContaining('empty') },
    ]);
    expect(parse('just text').issues).toMatchObject([
      { line: 1, column: 1, message: expect.stringContaining('must be a mapping') },
    ]);
  });

  it('reports every error of a file at once', () => {
    const { issues } = parse(
      `services:\n  a:\n    image: ${IMG}\n    restart: sometimes\n    ports: [nope]\n  b:\n    image: ${IMG}\n    depends_on: [missing]\n`,
    );
    expect(errors(issues).map((i) => `${i.line}:${i.column}`)).toEqual(['4:14', '5:13', '8:18']);
  });

  it('produces schema-valid output with sorted keys', () => {
    const { project } = parse(
      `services:\n  zeta:\n    image: ${IMG}\n    labels: { b: "1", a: "2" }\n  alpha:\n    image: ${IMG}\n`,
    );
    expect(ComposeProjectSchema.safeParse(project).success).toBe(true);
    expect(Object.keys(project?.services ?? {})).toEqual(['alpha', 'zeta']);
    expect(Object.keys(project?.services.zeta?.labels ?? {})).toEqual(['a', 'b']);
  });
});

// capstan stack: compose projects on an environment. Listing, showing, creating, planning,
// versions, adoption and removal here; deploy and rollback (which follow the deploy) in stack-deploy.ts.
import {
  CreatedStackSchema,
  StackPageSchema,
  StackPlanAnswerSchema,
  StackRemovalSchema,
  StackSchema,
  StackVersionListSchema,
  type Stack,
} from '@capstan/protocol';
import { flag, intOption, parseId, str } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { present, targetOf } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { callApi } from '../http-client.ts';
import { formatColumns, formatTable, pageFooter, printable } from '../output.ts';
import { canPrompt, confirm } from '../prompt.ts';
import { CONTENT_OPTIONS, contentSynopsis, readContent, withLocalNames } from './stack-content.ts';
import { deployCommands } from './stack-deploy.ts';
import {
  formatComposeWarnings,
  formatPlan,
  STACK_COLUMNS,
  stackRows,
  VERSION_COLUMNS,
  versionRows,
} from './stack-plan-view.ts';

/** Key/value lines describing a stack, then its compose file (for `stack show`). */
export function stackDetails(s: Stack): string {
  const latest = s.latestVersion;
  const rows: string[][] = [
    ['id', String(s.id)],
    ['name', `${s.name} (project ${s.projectName})`],
    ['environment', String(s.environmentId)],
    ['source', s.source],
    ['status', s.status],
    [
      'latest version',
      latest === null
        ? '- (never deployed)'
        : `v${latest.number} ${latest.kind} ${latest.status}${latest.reason === null ? '' : `: ${latest.reason}`} (${latest.createdAt}${latest.createdByName === null ? '' : ` by ${latest.createdByName}`})`,
    ],
    [
      'running version',
      s.currentVersionId === null ? '-' : latest?.id === s.currentVersionId ? `v${latest.number}` : `id ${s.currentVersionId}`,
    ],
    ['health gate', s.health.windowSeconds === 0 ? 'off' : `${s.health.windowSeconds}s, on failure ${s.health.onFailure}`],
    [
      'variables',
      s.variables.length === 0
        ? '-'
        : s.variables.map((v) => (v.secret ? `${v.name}=(secret)` : `${v.name}=${v.value ?? ''}`)).join(' '),
    ],
    ['files', s.files.length === 0 ? '-' : s.files.map((f) => f.name).join(' ')],
  ];
  if (s.removeError !== null) rows.push(['remove error', s.removeError]);
  rows.push(['created', s.createdAt], ['updated', s.updatedAt]);
  const compose =
    s.compose === null
      ? '\n(no compose file: adopted; the first deploy with --file takes the project over)\n'
      : `\ncompose file:\n${s.compose
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `  ${printable(l)}`)
          .join('\n')}\n`;
  return formatColumns(rows) + compose;
}

const list: Command = {
  words: ['stack', 'list'],
  args: [],
  options: { env: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } },
  synopsis: '[--env ID] [--limit N] [--offset N]',
  summary: 'List the stacks you can see (of one environment with --env)',
  async run(ctx, { values }) {
    const usage = usageLine(list);
    const env = str(values, 'env');
    const query = {
      environmentId: env === undefined ? undefined : parseId(env, '--env', usage),
      limit: intOption(values, 'limit', 1, 1000, usage),
      offset: intOption(values, 'offset', 0, 10_000_000, usage),
    };
    const { data, raw } = await callApi(targetOf(ctx), { method: 'GET', path: '/api/stacks', query }, StackPageSchema);
    present(ctx, raw, () => formatTable(STACK_COLUMNS, stackRows(data.items)) + pageFooter(data));
  },
};

const show: Command = {
  words: ['stack', 'show'],
  args: ['ID'],
  options: {},
  synopsis: '',
  summary: 'Show a stack: status, versions, settings, variables (secrets masked) and its compose file',
  async run(ctx, { positionals: [rawId = ''] }) {
    const id = parseId(rawId, 'ID', usageLine(show));
    const { data, raw } = await callApi(targetOf(ctx), { method: 'GET', path: `/api/stacks/${id}` }, StackSchema);
    present(ctx, raw, () => stackDetails(data));
  },
};

const create: Command = {
  words: ['stack', 'create'],
  args: ['NAME'],
  options: { env: { type: 'string' }, ...CONTENT_OPTIONS },
  synopsis: `--env ID ${contentSynopsis(true)}`,
  summary: 'Create a stack from a compose file (not deployed yet: see "capstan stack deploy")',
  async run(ctx, { positionals: [name = ''], values }) {
    const usage = usageLine(create);
    const env = str(values, 'env');
    if (env === undefined) throw new UsageError('--env is required (the environment the stack runs on)', usage);
    const environmentId = parseId(env, '--env', usage);
    const content = readContent(values, ctx.cwd, ctx.env, usage);
    if (content.compose === undefined) throw new UsageError('--file is required (the compose file)', usage);
    const body = {
      name,
      environmentId,
      compose: content.compose,
      files: content.files ?? [],
      variables: content.variables,
      source: 'upload',
    };
    const { data, raw } = await withLocalNames(content.localNames, () =>
      callApi(targetOf(ctx), { method: 'POST', path: '/api/stacks', body }, CreatedStackSchema),
    );
    const local = (f: string): string => content.localNames.get(f) ?? f;
    present(
      ctx,
      raw,
      () =>
        `created stack ${data.id} "${printable(data.name)}" on environment ${data.environmentId} (not deployed yet: capstan stack deploy ${data.id})\n` +
        formatComposeWarnings(data.warnings, local),
    );
  },
};

const plan: Command = {
  words: ['stack', 'plan'],
  args: ['ID'],
  options: { ...CONTENT_OPTIONS, pull: { type: 'boolean' } },
  synopsis: `${contentSynopsis(false)} [--pull]`,
  summary:
    "Show what deploying the stack (or the content given) would change; --pull asks the registry whether tags moved",
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(plan);
    const id = parseId(rawId, 'ID', usage);
    const content = readContent(values, ctx.cwd, ctx.env, usage);
    const body = {
      ...(content.compose === undefined ? {} : { compose: content.compose }),
      ...(content.files === undefined ? {} : { files: content.files }),
      ...(content.variables.length === 0 ? {} : { variables: content.variables }),
      pull: flag(values, 'pull'),
    };
    const { data, raw } = await withLocalNames(content.localNames, () =>
      callApi(targetOf(ctx), { method: 'POST', path: `/api/stacks/${id}/plan`, body }, StackPlanAnswerSchema),
    );
    present(ctx, raw, () => formatPlan(data, (f) => content.localNames.get(f) ?? f));
  },
};

const versions: Command = {
  words: ['stack', 'versions'],
  args: ['ID'],
  options: {},
  synopsis: '',
  summary: "List a stack's versions, newest first",
  async run(ctx, { positionals: [rawId = ''] }) {
    const id = parseId(rawId, 'ID', usageLine(versions));
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'GET', path: `/api/stacks/${id}/versions` },
      StackVersionListSchema,
    );
    const numbers = new Map(data.items.map((v) => [v.id, v.number]));
    present(ctx, raw, () => formatTable(VERSION_COLUMNS, versionRows(data.items, (v) => numbers.get(v) ?? null)));
  },
};

const remove: Command = {
  words: ['stack', 'rm'],
  args: ['ID'],
  options: { volumes: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
  synopsis: '[--volumes] [--yes]',
  summary: "Remove a stack: its containers and networks on the host (and volumes with --volumes), then the stack",
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(remove);
    const id = parseId(rawId, 'ID', usage);
    const volumes = flag(values, 'volumes');
    const target = targetOf(ctx);
    if (!flag(values, 'yes')) {
      if (!canPrompt()) throw new UsageError('stdin is not a terminal to confirm the removal: pass --yes', usage);
      const { data: stack } = await callApi(target, { method: 'GET', path: `/api/stacks/${id}` }, StackSchema);
      const what = `stack ${id} "${printable(stack.name)}" with its containers${volumes ? ' and volumes' : ''} on environment ${stack.environmentId}`;
      if (!(await confirm(`Remove ${what}? [y/N] `))) throw new CliError('cancelled: nothing was removed');
    }
    const { data, raw } = await callApi(
      target,
      { method: 'DELETE', path: `/api/stacks/${id}`, query: { removeVolumes: volumes ? 'true' : undefined } },
      StackRemovalSchema,
    );
    present(ctx, raw, () =>
      data.removed
        ? `removed stack ${id}\n`
        : `removing stack ${id}: the agent removes its containers (command ${data.commandId ?? '-'}), then the stack goes\n`,
    );
  },
};

const adopt: Command = {
  words: ['stack', 'adopt'],
  args: ['PROJECT'],
  options: { env: { type: 'string' }, name: { type: 'string' } },
  synopsis: '--env ID [--name NAME]',
  summary: 'Adopt a compose project running on an environment as a stack, without redeploying it',
  async run(ctx, { positionals: [projectName = ''], values }) {
    const usage = usageLine(adopt);
    const env = str(values, 'env');
    if (env === undefined) throw new UsageError('--env is required (the environment the project runs on)', usage);
    const environmentId = parseId(env, '--env', usage);
    const name = str(values, 'name');
    const { data, raw } = await callApi(
      targetOf(ctx),
      {
        method: 'POST',
        path: `/api/environments/${environmentId}/stacks/adopt`,
        body: { projectName, ...(name === undefined ? {} : { name }) },
      },
      StackSchema,
    );
    present(
      ctx,
      raw,
      () => `adopted project ${printable(projectName)} as stack ${data.id} "${printable(data.name)}" (version 1)\n`,
    );
  },
};

/** The `capstan stack` subcommands. */
export const stackCommands: readonly Command[] = [list, show, create, plan, ...deployCommands, versions, remove, adopt];

// capstan env: list, create, change and delete environments.
import {
  EnvironmentModeSchema,
  EnvironmentPageSchema,
  EnvironmentSchema,
  POLL_INTERVAL_SECONDS,
  type Environment,
} from '@capstan/protocol';
import { intOption, parseId, str, strs } from '../args.ts';
import { usageLine, type Command, type CommandInput } from '../command.ts';
import { present, targetOf, type CommandContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { callApi, callApiNoContent } from '../http-client.ts';
import { formatTable, listCell, pageFooter, printable } from '../output.ts';

/** Table columns of `env list`. */
export const ENVIRONMENT_COLUMNS = ['ID', 'NAME', 'STATUS', 'MODE', 'GROUP', 'TAGS', 'CONTAINERS', 'STATE AS OF', 'LAST SEEN', 'NEXT POLL', 'QUEUE'];

/** "running/total" plus how many are unhealthy, or a dash before the first snapshot. */
export function containerCell(c: Environment['containers']): string {
  if (!c) return '-';
  return `${c.running}/${c.total}${c.unhealthy > 0 ? ` (${c.unhealthy} unhealthy)` : ''}`;
}

/** One table row per environment, under ENVIRONMENT_COLUMNS. */
export function environmentRows(items: readonly Environment[]): string[][] {
  return items.map((e) => [
    String(e.id),
    e.name,
    e.status,
    e.mode,
    e.groupId === null ? '-' : String(e.groupId),
    listCell(e.tags.map((t) => t.name)),
    containerCell(e.containers),
    // A polling host's counts are as old as its last snapshot; a live one's are current.
    e.mode === 'async' ? (e.stateAsOf ?? '-') : '-',
    e.lastSeenAt ?? '-',
    // Only async environments poll; a standard one's queue drains over the tunnel at once.
    e.mode === 'async' ? (e.nextPollAt ?? '-') : '-',
    e.mode === 'async' ? String(e.queueLength) : '-',
  ]);
}

const list: Command = {
  words: ['env', 'list'],
  args: [],
  options: {
    search: { type: 'string' },
    'group-id': { type: 'string' },
    'tag-id': { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
  },
  synopsis: '[--search S] [--group-id N] [--tag-id N] [--limit N] [--offset N]',
  summary: 'List the environments you can see',
  async run(ctx, { values }) {
    const usage = usageLine(list);
    const groupId = str(values, 'group-id');
    const tagId = str(values, 'tag-id');
    const { data, raw } = await callApi(
      targetOf(ctx),
      {
        method: 'GET',
        path: '/api/environments',
        query: {
          search: str(values, 'search'),
          groupId: groupId === undefined ? undefined : parseId(groupId, '--group-id', usage),
          tagId: tagId === undefined ? undefined : parseId(tagId, '--tag-id', usage),
          limit: intOption(values, 'limit', 1, 1000, usage),
          offset: intOption(values, 'offset', 0, 10_000_000, usage),
        },
      },
      EnvironmentPageSchema,
    );
    present(
      ctx,
      raw,
      () =>
        formatTable(ENVIRONMENT_COLUMNS, environmentRows(data.items)) +
        pageFooter(data),
    );
  },
};

/** The --mode value, checked; undefined when absent. */
function modeOption(values: CommandInput['values'], usage: string): Environment['mode'] | undefined {
  const mode = str(values, 'mode');
  if (mode === undefined) return undefined;
  const parsed = EnvironmentModeSchema.safeParse(mode);
  if (!parsed.success) throw new UsageError(`--mode must be standard or async, got "${mode}"`, usage);
  return parsed.data;
}

const create: Command = {
  words: ['env', 'create'],
  args: ['NAME'],
  options: {
    'group-id': { type: 'string' },
    'tag-id': { type: 'string', multiple: true },
    mode: { type: 'string' },
  },
  synopsis: '[--group-id N] [--tag-id N ...] [--mode standard|async]',
  summary: 'Create an environment',
  async run(ctx, { positionals: [name = ''], values }) {
    const usage = usageLine(create);
    const groupId = str(values, 'group-id');
    const mode = modeOption(values, usage);
    const body = {
      name,
      groupId: groupId === undefined ? null : parseId(groupId, '--group-id', usage),
      tagIds: strs(values, 'tag-id').map((t) => parseId(t, '--tag-id', usage)),
      ...(mode === undefined ? {} : { mode }),
    };
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'POST', path: '/api/environments', body },
      EnvironmentSchema,
    );
    present(ctx, raw, () => `created environment ${data.id} "${printable(data.name)}"\n`);
  },
};

const remove: Command = {
  words: ['env', 'delete'],
  args: ['ID'],
  options: {},
  synopsis: '',
  summary: 'Delete an environment and its role assignments',
  async run(ctx, { positionals: [rawId = ''] }) {
    const id = parseId(rawId, 'ID', usageLine(remove));
    await callApiNoContent(targetOf(ctx), { method: 'DELETE', path: `/api/environments/${id}` });
    if (!ctx.global.json) ctx.out(`deleted environment ${id}\n`);
  },
};

/** The environment a user named: a number is an id, anything else a name (matched without case). */
async function resolveEnvironment(ctx: CommandContext, ref: string): Promise<number> {
  if (/^\d+$/.test(ref)) return parseId(ref, 'ID');
  const { data } = await callApi(targetOf(ctx), { method: 'GET', path: '/api/environments', query: { search: ref, limit: 1000 } }, EnvironmentPageSchema);
  const match = data.items.find((e) => e.name.toLowerCase() === ref.toLowerCase());
  if (!match) throw new CliError(`no environment named "${printable(ref)}" that you can see: list them with capstan env list`);
  return match.id;
}

/** What `env set` reports: the environment's mode and, for async ones, how often it polls. */
export function environmentSummary(e: Environment): string {
  const polls = e.mode === 'async' ? `, polls every ${e.pollIntervalSeconds} s` : '';
  return `environment ${e.id} "${printable(e.name)}": mode ${e.mode}${polls}\n`;
}

const set: Command = {
  words: ['env', 'set'],
  args: ['ID_OR_NAME'],
  options: { mode: { type: 'string' }, 'poll-interval': { type: 'string' } },
  synopsis: '[--mode standard|async] [--poll-interval SECONDS]',
  summary: 'Switch an environment between Standard (tunnel) and Async (polling) mode, or change how often it polls',
  async run(ctx, { positionals: [ref = ''], values }) {
    const usage = usageLine(set);
    const mode = modeOption(values, usage);
    const pollIntervalSeconds = intOption(values, 'poll-interval', POLL_INTERVAL_SECONDS.min, POLL_INTERVAL_SECONDS.max, usage);
    if (mode === undefined && pollIntervalSeconds === undefined) throw new UsageError('give --mode or --poll-interval (or both)', usage);
    const id = await resolveEnvironment(ctx, ref);
    const body = { ...(mode === undefined ? {} : { mode }), ...(pollIntervalSeconds === undefined ? {} : { pollIntervalSeconds }) };
    const { data, raw } = await callApi(targetOf(ctx), { method: 'PATCH', path: `/api/environments/${id}`, body }, EnvironmentSchema);
    present(ctx, raw, () => environmentSummary(data));
  },
};

/** The `capstan env` subcommands. */
export const envCommands: readonly Command[] = [list, create, set, remove];

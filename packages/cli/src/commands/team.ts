// capstan team: list, create and delete teams, and manage their members.
import { TeamPageSchema, TeamSchema, type Team } from '@capstan/protocol';
import { intOption, parseId } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { present, targetOf } from '../context.ts';
import { callApi, callApiNoContent } from '../http-client.ts';
import { formatTable, listCell, pageFooter, printable } from '../output.ts';

/** One table row per team, under ID NAME MEMBERS (member user ids). */
export function teamRows(items: readonly Team[]): string[][] {
  return items.map((t) => [String(t.id), t.name, listCell(t.memberIds)]);
}

const list: Command = {
  words: ['team', 'list'],
  args: [],
  options: { limit: { type: 'string' }, offset: { type: 'string' } },
  synopsis: '[--limit N] [--offset N]',
  summary: 'List teams',
  async run(ctx, { values }) {
    const usage = usageLine(list);
    const query = {
      limit: intOption(values, 'limit', 1, 1000, usage),
      offset: intOption(values, 'offset', 0, 10_000_000, usage),
    };
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'GET', path: '/api/teams', query },
      TeamPageSchema,
    );
    present(ctx, raw, () => formatTable(['ID', 'NAME', 'MEMBERS'], teamRows(data.items)) + pageFooter(data));
  },
};

const create: Command = {
  words: ['team', 'create'],
  args: ['NAME'],
  options: {},
  synopsis: '',
  summary: 'Create a team',
  async run(ctx, { positionals: [name = ''] }) {
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'POST', path: '/api/teams', body: { name } },
      TeamSchema,
    );
    present(ctx, raw, () => `created team ${data.id} "${printable(data.name)}"\n`);
  },
};

const remove: Command = {
  words: ['team', 'delete'],
  args: ['ID'],
  options: {},
  synopsis: '',
  summary: 'Delete a team and its role assignments',
  async run(ctx, { positionals: [rawId = ''] }) {
    const id = parseId(rawId, 'ID', usageLine(remove));
    await callApiNoContent(targetOf(ctx), { method: 'DELETE', path: `/api/teams/${id}` });
    if (!ctx.global.json) ctx.out(`deleted team ${id}\n`);
  },
};

const addMember: Command = {
  words: ['team', 'add-member'],
  args: ['TEAM_ID', 'USER_ID'],
  options: {},
  synopsis: '',
  summary: 'Add a user to a team',
  async run(ctx, { positionals: [rawTeam = '', rawUser = ''] }) {
    const usage = usageLine(addMember);
    const teamId = parseId(rawTeam, 'TEAM_ID', usage);
    const userId = parseId(rawUser, 'USER_ID', usage);
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'PUT', path: `/api/teams/${teamId}/members/${userId}` },
      TeamSchema,
    );
    present(ctx, raw, () => `added user ${userId} to team ${data.id} "${printable(data.name)}"\n`);
  },
};

const removeMember: Command = {
  words: ['team', 'remove-member'],
  args: ['TEAM_ID', 'USER_ID'],
  options: {},
  synopsis: '',
  summary: 'Remove a user from a team',
  async run(ctx, { positionals: [rawTeam = '', rawUser = ''] }) {
    const usage = usageLine(removeMember);
    const teamId = parseId(rawTeam, 'TEAM_ID', usage);
    const userId = parseId(rawUser, 'USER_ID', usage);
    await callApiNoContent(targetOf(ctx), {
      method: 'DELETE',
      path: `/api/teams/${teamId}/members/${userId}`,
    });
    if (!ctx.global.json) ctx.out(`removed user ${userId} from team ${teamId}\n`);
  },
};

/** The `capstan team` subcommands. */
export const teamCommands: readonly Command[] = [list, create, remove, addMember, removeMember];

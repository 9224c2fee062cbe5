// capstan user: list, create, delete, disable, enable and unlock local users.
import { UserPageSchema, UserSchema, type UpdateUser, type User } from '@capstan/protocol';
import { flag, intOption, parseId, str } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { present, targetOf } from '../context.ts';
import { callApi, callApiNoContent } from '../http-client.ts';
import { formatTable, pageFooter, printable } from '../output.ts';
import { readPassword } from '../password.ts';

/** `disabled`, `locked until <time>` (while the lockout lasts, judged at `now`) or `active`. */
export function userStatus(user: User, now: number): string {
  if (user.disabled) return 'disabled';
  if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now)
    return `locked until ${user.lockedUntil}`;
  return 'active';
}

/** One table row per user, under ID USERNAME ADMIN STATUS CREATED. */
export function userRows(items: readonly User[], now: number): string[][] {
  return items.map((u) => [
    String(u.id),
    u.username,
    u.isAdmin ? 'yes' : 'no',
    userStatus(u, now),
    u.createdAt,
  ]);
}

const list: Command = {
  words: ['user', 'list'],
  args: [],
  options: { search: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } },
  synopsis: '[--search S] [--limit N] [--offset N]',
  summary: 'List users',
  async run(ctx, { values }) {
    const usage = usageLine(list);
    const query = {
      search: str(values, 'search'),
      limit: intOption(values, 'limit', 1, 1000, usage),
      offset: intOption(values, 'offset', 0, 10_000_000, usage),
    };
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'GET', path: '/api/users', query },
      UserPageSchema,
    );
    present(
      ctx,
      raw,
      () =>
        formatTable(['ID', 'USERNAME', 'ADMIN', 'STATUS', 'CREATED'], userRows(data.items, Date.now())) +
        pageFooter(data),
    );
  },
};

const create: Command = {
  words: ['user', 'create'],
  args: ['USERNAME'],
  options: {
    admin: { type: 'boolean' },
    'password-stdin': { type: 'boolean' },
    'password-file': { type: 'string' },
  },
  synopsis: '[--admin] [--password-stdin | --password-file F]',
  summary: 'Create a local user (prompts for the password on a terminal)',
  async run(ctx, { positionals: [username = ''], values }) {
    const target = targetOf(ctx);
    const password = await readPassword({
      file: str(values, 'password-file'),
      stdin: flag(values, 'password-stdin'),
      confirm: true,
      usage: usageLine(create),
    });
    const body = { username, password, isAdmin: flag(values, 'admin') };
    const { data, raw } = await callApi(target, { method: 'POST', path: '/api/users', body }, UserSchema);
    present(
      ctx,
      raw,
      () => `created ${data.isAdmin ? 'administrator' : 'user'} ${data.id} "${printable(data.username)}"\n`,
    );
  },
};

const remove: Command = {
  words: ['user', 'delete'],
  args: ['ID'],
  options: {},
  synopsis: '',
  summary: 'Delete a user with their sessions, API keys and role assignments',
  async run(ctx, { positionals: [rawId = ''] }) {
    const id = parseId(rawId, 'ID', usageLine(remove));
    await callApiNoContent(targetOf(ctx), { method: 'DELETE', path: `/api/users/${id}` });
    if (!ctx.global.json) ctx.out(`deleted user ${id}\n`);
  },
};

/** A `user <verb> ID` command that PATCHes the user with `body` and reports `done`. */
function patchCommand(verb: string, summary: string, body: UpdateUser, done: string): Command {
  const cmd: Command = {
    words: ['user', verb],
    args: ['ID'],
    options: {},
    synopsis: '',
    summary,
    async run(ctx, { positionals: [rawId = ''] }) {
      const id = parseId(rawId, 'ID', usageLine(cmd));
      const { data, raw } = await callApi(
        targetOf(ctx),
        { method: 'PATCH', path: `/api/users/${id}`, body },
        UserSchema,
      );
      present(ctx, raw, () => `${done} user ${data.id} "${printable(data.username)}"\n`);
    },
  };
  return cmd;
}

/** The `capstan user` subcommands. */
export const userCommands: readonly Command[] = [
  list,
  create,
  remove,
  patchCommand(
    'disable',
    'Disable a user: they can no longer sign in or use API keys',
    { disabled: true },
    'disabled',
  ),
  patchCommand('enable', 'Enable a disabled user', { disabled: false }, 'enabled'),
  patchCommand('unlock', 'Clear a temporary login lockout', { unlock: true }, 'unlocked'),
];

// capstan env join-token / env fleet-token: the line that starts an Edge Agent on a host.
import { GroupJoinTokenSchema, JoinTokenSchema, type JoinToken } from '@capstan/protocol';
import { flag, intOption, parseId } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { present, targetOf } from '../context.ts';
import { callApi } from '../http-client.ts';

/** What a person needs from a join token: the one line to paste on the host, and when it stops working. */
export function joinTokenText(t: JoinToken, docker: boolean, what: string): string {
  const line = docker ? t.dockerCommand : t.command;
  return `# ${what}; expires ${t.expiresAt}. Run on the host:\n${line}\n`;
}

const joinToken: Command = {
  words: ['env', 'join-token'],
  args: ['ID'],
  options: { ttl: { type: 'string' }, docker: { type: 'boolean' } },
  synopsis: '[--ttl SECONDS] [--docker]',
  summary: 'Create a one-time join token and print the command that starts the agent on the host',
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(joinToken);
    const id = parseId(rawId, 'ID', usage);
    const ttl = intOption(values, 'ttl', 60, 30 * 86_400, usage);
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'POST', path: `/api/environments/${id}/join-tokens`, body: ttl === undefined ? {} : { ttl } },
      JoinTokenSchema,
    );
    present(ctx, raw, () => joinTokenText(data, flag(values, 'docker'), `one-time join token for environment ${id}`));
  },
};

const fleetToken: Command = {
  words: ['env', 'fleet-token'],
  args: ['GROUP_ID'],
  options: { ttl: { type: 'string' }, 'max-uses': { type: 'string' }, docker: { type: 'boolean' } },
  synopsis: '[--ttl SECONDS] [--max-uses N] [--docker]',
  summary: 'Create a join token for a group: every host that runs its command becomes a new environment of the group',
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(fleetToken);
    const id = parseId(rawId, 'GROUP_ID', usage);
    const ttl = intOption(values, 'ttl', 60, 30 * 86_400, usage);
    const maxUses = intOption(values, 'max-uses', 1, 100_000, usage);
    const body = { ...(ttl === undefined ? {} : { ttl }), ...(maxUses === undefined ? {} : { maxUses }) };
    const { data, raw } = await callApi(
      targetOf(ctx),
      { method: 'POST', path: `/api/environments/groups/${id}/join-tokens`, body },
      GroupJoinTokenSchema,
    );
    const uses = data.maxUses === null ? 'any number of hosts' : `up to ${data.maxUses} hosts`;
    present(ctx, raw, () => joinTokenText(data, flag(values, 'docker'), `join token for group ${id} (${uses})`));
  },
};

/** The join-token subcommands of `capstan env`. */
export const joinCommands: readonly Command[] = [joinToken, fleetToken];

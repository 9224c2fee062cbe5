// capstan stack deploy / rollback: show what will happen, confirm, queue the version, then follow
// its deploy to the end (or return at once with --detach).
import {
  DeployedVersionSchema,
  StackPlanAnswerSchema,
  StackSchema,
  StackVersionListSchema,
  type DeployedVersion,
  type StackVersionSummary,
} from '@capstan/protocol';
import { flag, parseId, str, type OptionValues } from '../args.ts';
import { usageLine, type Command } from '../command.ts';
import { present, targetOf, type CommandContext } from '../context.ts';
import { ApiError, CliError, UsageError } from '../errors.ts';
import { callApi } from '../http-client.ts';
import { printable } from '../output.ts';
import { canPrompt, confirm } from '../prompt.ts';
import type { Target } from '../target.ts';
import {
  CONTENT_OPTIONS,
  contentSynopsis,
  mergeWithStored,
  readContent,
  withLocalNames,
  type ContentInput,
} from './stack-content.ts';
import { followAndReport } from './stack-follow.ts';
import { formatComposeWarnings, formatPlan } from './stack-plan-view.ts';

/** Confirmation is needed and impossible: UsageError naming --yes. Checked before anything is asked of the server. */
function requireConfirmable(values: OptionValues, what: string, usage: string): void {
  if (!flag(values, 'yes') && !canPrompt()) {
    throw new UsageError(`stdin is not a terminal to confirm the ${what}: pass --yes to ${what.split(' ')[0]} without asking`, usage);
  }
}

/**
 * The version `raw` names among `versions`: its number (as `stack versions` shows it, `3` or `v3`),
 * else its id. UsageError when none matches.
 */
export function resolveVersion(
  raw: string,
  versions: readonly StackVersionSummary[],
  usage: string,
): StackVersionSummary {
  const m = /^v?(\d+)$/i.exec(raw.trim());
  if (!m) throw new UsageError(`--to must be a version number (as "capstan stack versions" shows) or id, got "${raw}"`, usage);
  const n = Number(m[1]);
  const found = versions.find((v) => v.number === n) ?? (raw.startsWith('v') ? undefined : versions.find((v) => v.id === n));
  if (!found) throw new CliError(`the stack has no version ${raw}: see "capstan stack versions"`);
  return found;
}

/** Prints where the plan can be read (stdout, or stderr under --json). */
const info =
  (ctx: CommandContext) =>
  (text: string): void =>
    ctx.global.json ? ctx.err(text) : ctx.out(text);

/**
 * Shows the plan for the content about to be deployed. A plan the server cannot make yet (the
 * host never reported its state) is said and not fatal: the deploy waits for the agent.
 */
async function showPlan(ctx: CommandContext, target: Target, id: number, content: ContentInput, body: object): Promise<void> {
  try {
    const { data } = await withLocalNames(content.localNames, () =>
      callApi(target, { method: 'POST', path: `/api/stacks/${id}/plan`, body }, StackPlanAnswerSchema),
    );
    info(ctx)(formatPlan(data, (f) => content.localNames.get(f) ?? f));
  } catch (err) {
    if (!(err instanceof ApiError) || err.problem.code !== 'plan_unavailable') throw err;
    info(ctx)(`no plan: ${printable(err.problem.detail)}\n`);
  }
}

const deploy: Command = {
  words: ['stack', 'deploy'],
  args: ['ID'],
  options: {
    ...CONTENT_OPTIONS,
    pull: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    detach: { type: 'boolean', short: 'd' },
  },
  synopsis: `${contentSynopsis(false)} [--pull] [--yes] [--detach]`,
  summary:
    'Deploy a stack (with new content when given): shows the plan, asks, then follows the deploy to its end; --pull re-pulls images, --detach returns once queued',
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(deploy);
    const id = parseId(rawId, 'ID', usage);
    requireConfirmable(values, 'deploy', usage);
    const content = readContent(values, ctx.cwd, ctx.env, usage);
    const target = targetOf(ctx);
    const yes = flag(values, 'yes');
    const pull = flag(values, 'pull');
    let variables = content.variables.length === 0 ? undefined : content.variables;
    if (variables !== undefined) {
      // The server replaces the whole list: keep what is stored and not named here.
      const { data: stack } = await callApi(target, { method: 'GET', path: `/api/stacks/${id}` }, StackSchema);
      variables = mergeWithStored(stack.variables, variables);
    }
    const given = {
      ...(content.compose === undefined ? {} : { compose: content.compose }),
      ...(content.files === undefined ? {} : { files: content.files }),
      ...(variables === undefined ? {} : { variables }),
    };
    // Under --json --yes nobody reads the plan: skip asking the agent for it.
    const planShown = !(yes && ctx.global.json);
    if (planShown) await showPlan(ctx, target, id, content, { ...given, pull });
    if (!yes && !(await confirm(`Deploy stack ${id}? [y/N] `))) throw new CliError('cancelled: nothing was deployed');
    const { data, raw } = await withLocalNames(content.localNames, () =>
      callApi(
        target,
        { method: 'POST', path: `/api/stacks/${id}/deploy`, body: { ...given, pull: pull ? 'always' : 'missing' } },
        DeployedVersionSchema,
      ),
    );
    if (!planShown) ctx.err(formatComposeWarnings(data.warnings, (f) => content.localNames.get(f) ?? f));
    await queued(ctx, target, id, data, raw, flag(values, 'detach'));
  },
};

/** After a version was queued: report it (--detach) or follow it to its end. */
async function queued(
  ctx: CommandContext,
  target: Target,
  stackId: number,
  version: DeployedVersion,
  raw: unknown,
  detach: boolean,
): Promise<void> {
  if (detach) {
    present(
      ctx,
      raw,
      () =>
        `queued version ${version.number} (id ${version.id}) of stack ${stackId}: see "capstan stack versions ${stackId}"\n`,
    );
    return;
  }
  await followAndReport(ctx, target, stackId, version);
}

const rollback: Command = {
  words: ['stack', 'rollback'],
  args: ['ID'],
  options: { to: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, detach: { type: 'boolean', short: 'd' } },
  synopsis: '--to VERSION [--yes] [--detach]',
  summary:
    "Deploy a copy of an earlier version (its number, or id) with that version's image digests pinned, and follow it",
  async run(ctx, { positionals: [rawId = ''], values }) {
    const usage = usageLine(rollback);
    const id = parseId(rawId, 'ID', usage);
    const to = str(values, 'to');
    if (to === undefined) throw new UsageError('--to is required (the version to go back to)', usage);
    requireConfirmable(values, 'rollback', usage);
    const target = targetOf(ctx);
    const { data: list } = await callApi(
      target,
      { method: 'GET', path: `/api/stacks/${id}/versions` },
      StackVersionListSchema,
    );
    const version = resolveVersion(to, list.items, usage);
    if (!flag(values, 'yes')) {
      const question = `Roll stack ${id} back to version ${version.number} (${version.kind} of ${version.createdAt}, ${version.status})? [y/N] `;
      if (!(await confirm(question))) throw new CliError('cancelled: nothing was deployed');
    }
    const { data, raw } = await callApi(
      target,
      { method: 'POST', path: `/api/stacks/${id}/rollback`, body: { versionId: version.id } },
      DeployedVersionSchema,
    );
    await queued(ctx, target, id, data, raw, flag(values, 'detach'));
  },
};

/** deploy and rollback. */
export const deployCommands: readonly Command[] = [deploy, rollback];

import type { Migration } from '../types.ts';
import { initial } from './001-initial.ts';
import { agents } from './002-agents.ts';
import { environmentStatus } from './003-environment-status.ts';
import { commands } from './004-commands.ts';
import { snapshots } from './005-snapshots.ts';
import { groupJoinTokens } from './006-group-join-tokens.ts';
import { stacks } from './007-stacks.ts';
import { registries } from './008-registries.ts';
import { gitSources } from './009-git-sources.ts';
import { templates } from './010-templates.ts';
import { asyncPolls } from './011-async-polls.ts';
import { commandRetry } from './012-command-retry.ts';

/** Main database migrations, in order. Append only. */
export const MAIN_MIGRATIONS: readonly Migration[] = [initial, agents, environmentStatus, commands, snapshots, groupJoinTokens, stacks, registries, gitSources, templates, asyncPolls, commandRetry];

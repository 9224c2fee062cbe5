// Every client command, in the order help lists them.
import type { Command } from '../command.ts';
import { envCommands } from './env.ts';
import { joinCommands } from './join.ts';
import { sessionCommands } from './login.ts';
import { stackCommands } from './stack.ts';
import { teamCommands } from './team.ts';
import { userCommands } from './user.ts';

/** All client commands (`capstan server` is dispatched separately: its flags belong to the server). */
export const COMMANDS: readonly Command[] = [
  ...sessionCommands,
  ...envCommands,
  ...joinCommands,
  ...stackCommands,
  ...userCommands,
  ...teamCommands,
];

// The command log's agent side, assembled: the journal in the state directory, the runner, the executors.
import type { EngineConnector } from '../engine/engine-connector.ts';
import { CommandJournal } from '../journal/journal.ts';
import type { Logger } from '../log/logger.ts';
import { executeStackCommand, isStackCommand } from '../stacks/stack-commands.ts';
import { CommandRunner } from './command-runner.ts';
import { executeCommand } from './executors.ts';
import { recoverFrame } from './recover.ts';

export { CommandRunner } from './command-runner.ts';

/** Opens the journal in `stateDir` (throws JournalCorruptError with what to do) and builds the runner. */
export function createCommandRunner(stateDir: string, engine: EngineConnector, log: Logger): CommandRunner {
  return new CommandRunner({
    journal: CommandJournal.open(stateDir),
    execute: (command, context) => {
      // Stack commands (compose projects) have their own executors and converge from any state: recovery runs them again.
      if (isStackCommand(command.kind)) return executeStackCommand({ engine, stateDir, progress: context.progress }, command);
      if (context.recovery) return recoverFrame(engine, command, context.recovery.checkpoint, context, context.signal);
      return executeCommand(engine, command, context);
    },
    log,
  });
}

// The shape of one subcommand, so dispatch, help and parsing share a single description.
import type { OptionTable, OptionValues } from './args.ts';
import type { CommandContext } from './context.ts';

export interface CommandInput {
  /** Exactly as many as `args` names, in that order. */
  positionals: string[];
  values: OptionValues;
}

export interface Command {
  /** The words that select it: ['env', 'list'], or ['whoami']. */
  words: readonly string[];
  /** Names of the required positional arguments, for usage and arity checks. */
  args: readonly string[];
  options: OptionTable;
  /** Flags part of the usage line, e.g. `[--limit N]`. */
  synopsis: string;
  summary: string;
  run(ctx: CommandContext, input: CommandInput): Promise<void>;
}

/** `capstan env create NAME [--mode M]`: the command's one-line usage. */
export function usageLine(cmd: Command): string {
  return ['capstan', ...cmd.words, ...cmd.args, cmd.synopsis].filter((s) => s !== '').join(' ');
}

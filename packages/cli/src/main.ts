// The capstan entry point: picks the command, parses its flags, runs it and maps failures to exit codes
// (0 success, 1 failure reported by the server or the network, 2 wrong command line).
import os from 'node:os';
import { globalOptions, locateWords, parseCommandLine } from './args.ts';
import { usageLine, type Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { resolveConfigPath } from './config-file.ts';
import type { CommandContext } from './context.ts';
import { ApiError, CliError, UsageError } from './errors.ts';
import { formatProblem, printable } from './output.ts';
import { runServer } from './server-launcher.ts';
import { commandHelp, groupHelp, mainHelp } from './usage.ts';

const out = (text: string) => void process.stdout.write(text);
const err = (text: string) => void process.stderr.write(text);

type Selection = { kind: 'help'; text: string } | { kind: 'command'; cmd: Command; rest: string[] };

/** Which command argv names, or the help it asks for; UsageError when it names none. */
function select(argv: readonly string[]): Selection {
  const { words, values } = locateWords(argv);
  const help = globalOptions(values).help;
  const [first, second] = words;
  if (first === undefined || first.value === 'help') {
    const topic = first === undefined ? undefined : second?.value;
    if (topic !== undefined && COMMANDS.some((c) => c.words[0] === topic))
      return { kind: 'help', text: groupHelp(topic, COMMANDS) };
    if (first === undefined && !help) throw new UsageError('no command given', mainHelp(COMMANDS));
    return { kind: 'help', text: mainHelp(COMMANDS) };
  }
  const group = COMMANDS.filter((c) => c.words[0] === first.value);
  if (group.length === 0) throw new UsageError(`unknown command "${first.value}"`, mainHelp(COMMANDS));
  let cmd: Command | undefined = group.find((c) => c.words.length === 1);
  const used = [first.index];
  if (cmd === undefined) {
    if (second === undefined) {
      if (help) return { kind: 'help', text: groupHelp(first.value, COMMANDS) };
      throw new UsageError(`"capstan ${first.value}" needs a subcommand`, groupHelp(first.value, COMMANDS));
    }
    cmd = group.find((c) => c.words[1] === second.value);
    if (cmd === undefined)
      throw new UsageError(
        `unknown command "${first.value} ${second.value}"`,
        groupHelp(first.value, COMMANDS),
      );
    used.push(second.index);
  }
  if (help) return { kind: 'help', text: commandHelp(cmd) };
  return { kind: 'command', cmd, rest: argv.filter((_, i) => !used.includes(i)) };
}

async function runCommand(cmd: Command, rest: readonly string[]): Promise<void> {
  const usage = usageLine(cmd);
  const { positionals, values } = parseCommandLine(rest, cmd.options, usage);
  if (positionals.length < cmd.args.length)
    throw new UsageError(`missing ${cmd.args.slice(positionals.length).join(' ')}`, usage);
  if (positionals.length > cmd.args.length)
    throw new UsageError(`unexpected argument "${positionals[cmd.args.length]}"`, usage);
  const global = globalOptions(values);
  const ctx: CommandContext = {
    global,
    configPath: resolveConfigPath({
      flag: global.config,
      env: process.env,
      home: os.homedir(),
      cwd: process.cwd(),
    }),
    env: process.env,
    cwd: process.cwd(),
    out,
    err,
  };
  await cmd.run(ctx, { positionals, values });
}

/** Prints a failure the way its kind deserves and returns the exit code. */
function report(failure: unknown): number {
  if (failure instanceof UsageError) {
    const usage =
      failure.usage === null
        ? ''
        : failure.usage.includes('\n')
          ? `\n${failure.usage}`
          : `usage: ${failure.usage}\n`;
    err(`error: ${failure.message}\n${usage}`);
    return 2;
  }
  if (failure instanceof ApiError) {
    err(formatProblem(failure.problem));
    return 1;
  }
  if (failure instanceof CliError) {
    err(`error: ${printable(failure.message)}\n`);
    return 1;
  }
  err(
    `error: unexpected failure: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}\n`,
  );
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const first = locateWords(argv).words[0];
  // Everything after `server` belongs to the server, including --help.
  if (first?.value === 'server') return runServer(argv.slice(first.index + 1));
  try {
    const selection = select(argv);
    if (selection.kind === 'help') {
      out(selection.text);
      return 0;
    }
    await runCommand(selection.cmd, selection.rest);
    return 0;
  } catch (failure) {
    return report(failure);
  }
}

process.exitCode = await main(process.argv.slice(2));

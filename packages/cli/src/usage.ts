// Help texts, generated from the command descriptions so they cannot drift from the parser.
import { usageLine, type Command } from './command.ts';

const GLOBAL_HELP = `Global options:
  --json             print the server's JSON answer instead of a table
  --config FILE      config file (default $CAPSTAN_CONFIG, else $XDG_CONFIG_HOME/capstan/config.json
                     or ~/.config/capstan/config.json)
  --url URL          server to talk to (default $CAPSTAN_URL, else the one you logged in to)
  --api-key KEY      authenticate with an API key instead of the session (default $CAPSTAN_API_KEY)
  --insecure         do not verify the server's TLS certificate
  --ca-file FILE     trust this CA or self-signed certificate (the server's <data-dir>/tls/cert.pem)
  -h, --help         show help
`;

/** The full help: every command with its summary, then the global options. */
export function mainHelp(commands: readonly Command[]): string {
  const entries: Array<[string, string]> = [
    ['server [options]', 'Run the Capstan server (see "capstan server --help")'],
    ...commands.map((c): [string, string] => [[...c.words, ...c.args].join(' '), c.summary]),
  ];
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  const lines = entries.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`);
  return (
    `Usage: capstan <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n` +
    `Run "capstan <command> --help" for a command's options.\n\n${GLOBAL_HELP}`
  );
}

/** Help for the commands under one word (`capstan env --help`). */
export function groupHelp(group: string, commands: readonly Command[]): string {
  const lines = commands
    .filter((c) => c.words[0] === group)
    .map((c) => `  ${usageLine(c)}\n      ${c.summary}`);
  return `Usage:\n${lines.join('\n')}\n\n${GLOBAL_HELP}`;
}

/** Help for one command. */
export function commandHelp(cmd: Command): string {
  return `Usage: ${usageLine(cmd)}\n\n${cmd.summary}.\n\n${GLOBAL_HELP}`;
}

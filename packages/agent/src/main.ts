// Entry point of the agent process: the only place that reads process.argv and process.env.
import { homedir, hostname } from 'node:os';
import { installValidationMessages } from '@capstan/protocol';
import { startAgent } from './agent.ts';
import { parseOptions, USAGE } from './config/options.ts';
import { createLogger } from './log/logger.ts';

/** Parses the command line, starts the agent, stops it on SIGINT/SIGTERM; sets the exit code on failure. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  // Explicit: the bundle drops unused protocol modules, so messages.ts's own call would not run.
  installValidationMessages();
  const parsed = parseOptions(argv, env, { isRoot: process.getuid?.() === 0, homeDir: homedir() });
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    process.stderr.write(`capstan-agent: invalid options:\n${parsed.errors.map((e) => `  - ${e}`).join('\n')}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger(parsed.options.logLevel, (line) => process.stderr.write(`${line}\n`));
  let agent;
  try {
    agent = await startAgent(parsed.options, { log, hostname: hostname() });
  } catch (err) {
    log.error((err as Error).message);
    process.exitCode = 1;
    return;
  }
  const running = agent;
  const stop = (sig: string) => {
    log.info(`${sig} received, stopping`);
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

// No top-level await: the bundled agent (packages/agent/scripts/bundle.ts) is CommonJS so any Node 20+ runs it.
main(process.argv.slice(2), process.env).catch((err: unknown) => {
  process.stderr.write(`capstan-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

// The Server's entry point: the only place that reads process.env and argv.
import { ConfigError, configHelp, loadConfig } from './config/config.ts';
import { SchemaTooNewError } from './db/migrator.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(configHelp());
    return;
  }
  let config;
  try {
    config = loadConfig(argv, process.env, process.cwd());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`capstan server: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  try {
    const server = await startServer(config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.app.fastify.log.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  } catch (err) {
    if (err instanceof SchemaTooNewError) {
      process.stderr.write(`capstan server: ${err.message}\n`);
      process.exit(3);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`capstan server: could not start: ${message}\n`);
    process.exit(1);
  }
}

await main();

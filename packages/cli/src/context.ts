// What every command receives: parsed global options, where state lives, and where to print.
import type { GlobalOptions } from './args.ts';
import { readConfig } from './config-file.ts';
import { formatJson } from './output.ts';
import { resolveTarget, type Target } from './target.ts';

export interface CommandContext {
  global: GlobalOptions;
  configPath: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  out(text: string): void;
  err(text: string): void;
}

/** The server and credentials this command uses, from flags, environment and the config file. */
export function targetOf(ctx: CommandContext): Target {
  return resolveTarget(ctx.global, ctx.env, readConfig(ctx.configPath), ctx.cwd);
}

/** Prints the server's JSON under --json, otherwise the human rendering. */
export function present(ctx: CommandContext, raw: unknown, human: () => string): void {
  ctx.out(ctx.global.json ? formatJson(raw) : human());
}

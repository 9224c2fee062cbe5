// The client's only state: which server to talk to and the session token, kept between runs.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from './errors.ts';

/** What `login` stores; the defaults let a hand-written file hold just the URL. */
export const StoredConfigSchema = z.object({
  url: z.string().min(1),
  token: z.string().nullable().default(null),
  insecure: z.boolean().default(false),
  caFile: z.string().nullable().default(null),
});
export type StoredConfig = z.infer<typeof StoredConfigSchema>;

export interface ConfigPathInputs {
  flag: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
}

/** Absolute config path: `--config`, else CAPSTAN_CONFIG, else $XDG_CONFIG_HOME/capstan, else ~/.config/capstan. */
export function resolveConfigPath({ flag, env, home, cwd }: ConfigPathInputs): string {
  const explicit = flag ?? (env.CAPSTAN_CONFIG || undefined);
  if (explicit !== undefined) return path.resolve(cwd, explicit);
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, 'capstan', 'config.json');
}

/** The stored configuration, or null when the file does not exist; throws CliError when it is unreadable or malformed. */
export function readConfig(file: string): StoredConfig | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`config file ${file} is not valid JSON: fix it or delete it and log in again`);
  }
  const parsed = StoredConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new CliError(`config file ${file} is not a capstan config: fix it or delete it and log in again`);
  return parsed.data;
}

/** Replaces the config file atomically; the file (it holds a token) is readable by its owner only. */
export function writeConfig(file: string, config: StoredConfig): void {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    // The mode given at creation is filtered by the umask; set it again to be sure.
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write config file ${file}: ${(err as Error).message}`);
  }
}

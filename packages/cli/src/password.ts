// Where a password comes from: a file, piped stdin, or a prompt; never a command-line argument.
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { CliError, UsageError } from './errors.ts';
import { promptHidden } from './prompt.ts';

export interface PasswordSource {
  file: string | undefined;
  stdin: boolean;
  /** Ask twice when prompting (new passwords). */
  confirm: boolean;
  usage: string;
}

/** A password file's or piped input's content without its final line break. */
export function stripFinalNewline(value: string): string {
  return value.replace(/\r?\n$/, '');
}

/** The password from --password-file, --password-stdin or an echo-free prompt; UsageError when none is possible. */
export async function readPassword(source: PasswordSource): Promise<string> {
  if (source.file !== undefined && source.stdin) {
    throw new UsageError('give only one of --password-stdin and --password-file', source.usage);
  }
  let password: string;
  if (source.file !== undefined) {
    try {
      password = stripFinalNewline(readFileSync(source.file, 'utf8'));
    } catch (err) {
      throw new CliError(`cannot read the password file ${source.file}: ${(err as Error).message}`);
    }
  } else if (source.stdin) {
    password = stripFinalNewline(await text(process.stdin));
  } else if (process.stdin.isTTY) {
    password = await promptHidden('Password: ');
    if (source.confirm && (await promptHidden('Repeat password: ')) !== password) {
      throw new CliError('the passwords do not match');
    }
  } else {
    throw new UsageError(
      'no password: pass --password-stdin or --password-file (stdin is not a terminal)',
      source.usage,
    );
  }
  if (password === '') throw new CliError('the password is empty');
  return password;
}

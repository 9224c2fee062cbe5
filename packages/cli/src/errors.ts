import type { Problem } from '@capstan/protocol';

/** The command line was wrong (unknown command or flag, missing argument): exit code 2 with usage. */
export class UsageError extends Error {
  /** Usage text of the command that was being parsed, shown under the message. */
  readonly usage: string | null;
  constructor(message: string, usage: string | null = null) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

/** A failure the user can act on (no connection, unreadable file, not logged in): exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** The server refused the request with Problem JSON: exit code 1. */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
  }
}

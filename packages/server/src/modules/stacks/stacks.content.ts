// A stack's content as stored and as deployed: variables sealed at rest (secret ones), files as
// JSON, and the compose file read into the normalized project with parseCompose.
import { parseCompose, type ComposeIssue, type ComposeProject, type FieldIssue, type StackFile } from '@capstan/protocol';
import { AppError } from '../../errors.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { redactSecrets } from '../commands/commands.policy.ts';
import { composeIssueToField, secretValues, type PlainVariable } from './stacks.policy.ts';

/** The name the compose file has in issues (and among the stack's files). */
export const MAIN_FILE = 'compose.yaml';

/** A variable as stored: a secret one's value is sealed. */
interface StoredVariable {
  name: string;
  secret: boolean;
  value: string;
}

/** The content a deploy or plan reads. */
export interface StackContentInput {
  projectName: string;
  compose: string;
  files: readonly StackFile[];
  variables: readonly PlainVariable[];
}

/** Seals and opens variables, reads files, parses compose files. */
export class StackContent {
  readonly #box: SecretBox;

  constructor(box: SecretBox) {
    this.#box = box;
  }

  /** JSON of the variables with secret values sealed (bound to the stack's project and the variable name). */
  sealVariables(environmentId: number, projectName: string, variables: readonly PlainVariable[]): string {
    const stored: StoredVariable[] = variables.map((v) => ({
      name: v.name,
      secret: v.secret,
      value: v.secret ? this.#box.seal(v.value, context(environmentId, projectName, v.name)) : v.value,
    }));
    return JSON.stringify(stored);
  }

  /** The stored variables with secret values opened (memory only; never log or answer them). */
  openVariables(environmentId: number, projectName: string, json: string): PlainVariable[] {
    const stored = JSON.parse(json) as StoredVariable[];
    return stored.map((v) => ({ name: v.name, secret: v.secret, value: v.secret ? this.#box.open(v.value, context(environmentId, projectName, v.name)) : v.value }));
  }

  /** Stored files JSON → files. */
  files(json: string): StackFile[] {
    return JSON.parse(json) as StackFile[];
  }

  /**
   * The normalized project of `input` and its warnings; a compose file with errors is a
   * `compose_invalid` (400) whose issues carry file, line and column.
   */
  parse(input: StackContentInput): { project: ComposeProject; warnings: ComposeIssue[] } {
    const problems: FieldIssue[] = [];
    const names = new Set<string>([MAIN_FILE]);
    for (const [i, f] of input.files.entries()) {
      if (names.has(f.name)) problems.push({ location: 'body', path: `files.${i}.name`, message: `"${f.name}" is ${f.name === MAIN_FILE ? 'the compose file\'s own name' : 'given twice'}: give each file once under another name` });
      names.add(f.name);
    }
    if (problems.length > 0) throw new AppError('validation_failed', `body.${problems[0]?.path}: ${problems[0]?.message}`, { issues: problems });
    const files: Record<string, string> = { [MAIN_FILE]: input.compose };
    for (const f of input.files) files[f.name] = f.content;
    const variables = Object.fromEntries(input.variables.map((v) => [v.name, v.value]));
    const parsed = parseCompose({ files, mainFile: MAIN_FILE, projectName: input.projectName, variables });
    const project = parsed.project;
    // Messages may quote interpolated text: secret values never leave in them.
    const issues = redactSecrets(parsed.issues, secretValues(input.variables));
    const errors = issues.filter((i) => i.severity === 'error');
    const warnings = issues.filter((i) => i.severity === 'warning');
    if (!project || errors.length > 0) {
      const first = errors[0];
      const where = first ? `${first.file}${first.line !== null ? `:${first.line}${first.column !== null ? `:${first.column}` : ''}` : ''}` : MAIN_FILE;
      throw new AppError(
        'compose_invalid',
        // The reader's messages name their key already ("services.web.restart must be …").
        `the compose file is not valid: ${where}: ${first?.message ?? 'it could not be read'}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
        { issues: [...errors, ...warnings].map((i) => composeIssueToField(i, MAIN_FILE)) },
      );
    }
    return { project, warnings };
  }
}

const context = (environmentId: number, projectName: string, name: string): string => `stack:${environmentId}/${projectName}:variable:${name}`;

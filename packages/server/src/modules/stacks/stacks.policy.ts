// Pure decisions about stacks: names, variables (merging, masking), what a finished command means
// for its version, the stack's status, and what an adopted project is recorded as.
import {
  COMPOSE_LABEL,
  StackDeployResultSchema,
  StackPlanSchema,
  type AdoptedProject,
  type ComposeIssue,
  type EngineSnapshot,
  type FieldIssue,
  type StackPlan,
  type StackStatus,
  type StackVariable,
  type StackVariableInput,
  type StackVersionStatus,
} from '@capstan/protocol';

/** A variable with its plain value (secret or not), as held in memory only. */
export interface PlainVariable {
  name: string;
  value: string;
  secret: boolean;
}

/** The compose project name of a stack: its name in lower case. */
export function projectNameOf(name: string): string {
  return name.toLowerCase();
}

/**
 * The variables a stack gets from `input`, given its current ones: a secret entry without a value
 * keeps the current secret value of that name. Answers the problems instead when there are any.
 */
export function mergeVariables(current: readonly PlainVariable[], input: readonly StackVariableInput[]): { variables: PlainVariable[] } | { problems: FieldIssue[] } {
  const problems: FieldIssue[] = [];
  const seen = new Set<string>();
  const variables: PlainVariable[] = [];
  for (const [i, v] of input.entries()) {
    if (seen.has(v.name)) problems.push({ location: 'body', path: `variables.${i}.name`, message: `"${v.name}" is given twice: give each variable once` });
    seen.add(v.name);
    if (v.value !== undefined) {
      variables.push({ name: v.name, value: v.value, secret: v.secret });
      continue;
    }
    const kept = current.find((c) => c.name === v.name && c.secret);
    if (v.secret && kept) variables.push({ name: v.name, value: kept.value, secret: true });
    else
      problems.push({
        location: 'body',
        path: `variables.${i}.value`,
        message: v.secret ? `no secret "${v.name}" is stored to keep: give its value` : 'give a value (only a stored secret may be kept by omitting it)',
      });
  }
  return problems.length > 0 ? { problems } : { variables };
}

/** Variables as answered: secret values hidden. */
export function maskVariables(variables: readonly PlainVariable[]): StackVariable[] {
  return variables.map((v) => ({ name: v.name, secret: v.secret, value: v.secret ? null : v.value }));
}

/** The name → value map compose interpolation reads. */
export function variableMap(variables: readonly PlainVariable[]): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [v.name, v.value]));
}

/** The secret values among `variables` (what answers, logs and stored results must never show). */
export function secretValues(variables: readonly PlainVariable[]): string[] {
  return [...new Set(variables.filter((v) => v.secret && v.value !== '').map((v) => v.value))];
}

/** A compose issue as a Problem's field issue (with its file, line and column). */
export function composeIssueToField(issue: ComposeIssue, mainFile: string): FieldIssue {
  return {
    location: 'body',
    path: issue.file === mainFile ? `compose${issue.path ? `: ${issue.path}` : ''}` : `files[${issue.file}]${issue.path ? `: ${issue.path}` : ''}`,
    message: issue.message,
    file: issue.file,
    line: issue.line,
    column: issue.column,
  };
}

/** The fields of a command row the outcome of its version depends on. */
export interface FinishedCommand {
  status: string;
  /** JSON text or null. */
  output: string | null;
  /** JSON CommandError text or null. */
  error: string | null;
}

/** What a version becomes when its stack.deploy command reached `command.status`; null: not an end (nor a start). */
export interface VersionOutcome {
  status: StackVersionStatus;
  reason: string | null;
  imageDigests: Record<string, string> | null;
  plan: StackPlan | null;
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorText(text: string | null): string | null {
  const e = parse(text);
  if (typeof e !== 'object' || e === null) return null;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return typeof message === 'string' ? (typeof code === 'string' ? `${code}: ${message}` : message) : null;
}

/** The version outcome a stack.deploy command's status (and result) means; null while it runs or waits. */
export function versionOutcome(command: FinishedCommand): VersionOutcome | null {
  switch (command.status) {
    case 'queued':
    case 'sent':
      return null;
    case 'accepted':
      return { status: 'deploying', reason: null, imageDigests: null, plan: null };
    case 'superseded':
      return { status: 'superseded', reason: 'replaced by a newer deploy before it was sent to the agent', imageDigests: null, plan: null };
    case 'cancelled':
      return { status: 'failed', reason: 'the deploy command was cancelled before it was sent to the agent', imageDigests: null, plan: null };
    case 'expired':
      return { status: 'failed', reason: errorText(command.error) ?? 'the deploy command expired before the agent ran it', imageDigests: null, plan: null };
  }
  const result = StackDeployResultSchema.safeParse(parse(command.output));
  if (result.success) {
    const r = result.data;
    const failure = r.failure ? `${r.failure.service ? `${r.failure.service}: ` : ''}${r.failure.reason}` : null;
    const status: StackVersionStatus = r.outcome === 'deployed' ? 'deployed' : r.outcome === 'rolled_back' ? 'rolled_back' : 'failed';
    return { status, reason: failure ?? (status === 'deployed' ? null : (errorText(command.error) ?? `the deploy ended ${r.outcome}`)), imageDigests: r.imageDigests, plan: r.plan };
  }
  const why = errorText(command.error);
  return {
    status: 'failed',
    reason: why ?? (command.status === 'succeeded' ? 'the agent reported success without a readable deploy result' : 'the agent reported a failure without a reason'),
    imageDigests: null,
    plan: null,
  };
}

/** A stack.plan command's plan (its output is the plan, or `{ plan }`), or null when unreadable. */
export function planFromOutput(output: string | null): StackPlan | null {
  const value = parse(output);
  const direct = StackPlanSchema.safeParse(value);
  if (direct.success) return direct.data;
  const nested = StackPlanSchema.safeParse(typeof value === 'object' && value !== null ? (value as { plan?: unknown }).plan : undefined);
  return nested.success ? nested.data : null;
}

/** The stack's status from its state and its newest version's status. */
export function stackStatus(state: 'active' | 'removing', latest: StackVersionStatus | null): StackStatus {
  if (state === 'removing') return 'removing';
  switch (latest) {
    case null:
      return 'draft';
    case 'queued':
    case 'deploying':
      return 'deploying';
    case 'superseded':
      // A superseded version is never the newest for long; the one that replaced it decides.
      return 'deploying';
    default:
      return latest;
  }
}

/** The compose project `projectName` as the snapshot shows it: its containers per service, with their labels. */
export function adoptedProject(snapshot: EngineSnapshot, projectName: string): AdoptedProject | null {
  const listed = snapshot.composeProjects.find((p) => p.name === projectName);
  if (!listed) return null;
  const services: AdoptedProject['services'] = {};
  for (const c of snapshot.containers) {
    if (c.composeProject !== projectName) continue;
    if ((c.labels[COMPOSE_LABEL.oneoff] ?? '').toLowerCase() === 'true') continue;
    const service = c.composeService ?? c.labels[COMPOSE_LABEL.service] ?? '(none)';
    (services[service] ??= []).push({ id: c.id, name: c.name, image: c.image, imageId: c.imageId, state: c.state, labels: c.labels });
  }
  for (const list of Object.values(services)) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { projectName, workingDir: listed.workingDir, configFiles: listed.configFiles, services };
}

/** service → repo@sha256 of the image its containers run, where the snapshot knows a registry digest. */
export function adoptedDigests(snapshot: EngineSnapshot, project: AdoptedProject): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const [service, containers] of Object.entries(project.services)) {
    const first = containers[0];
    if (!first) continue;
    const image = snapshot.images.find((i) => i.id === first.imageId);
    const repo = first.image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
    const digest = image?.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? image?.repoDigests[0];
    if (digest) digests[service] = digest;
  }
  return digests;
}

/** The note an adopted version carries instead of a compose file. */
export function adoptionNote(project: AdoptedProject): string {
  const where = [project.workingDir ? `working directory ${project.workingDir}` : null, project.configFiles ? `compose file(s) ${project.configFiles}` : null].filter(Boolean).join(', ');
  return `adopted as found running (${Object.keys(project.services).length} service(s)${where ? `; ${where} on the host` : ''}); the compose file is not known to Capstan: deploy one to manage the stack`;
}

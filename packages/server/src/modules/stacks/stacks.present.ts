// API views of stack and version rows. Secret variable values are never opened here: they leave
// as null.
import type { AdoptedProject, Stack, StackFile, StackPage, StackVariable, StackVersion, StackVersionSummary } from '@capstan/protocol';
import type { StackRow, VersionRow } from './stacks.repository.ts';
import { stackStatus } from './stacks.policy.ts';

function json<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Stored variables JSON → the masked view (secret values stay sealed and show as null). */
export function maskedVariables(text: string): StackVariable[] {
  return json<Array<{ name: string; secret: boolean; value: string }>>(text, []).map((v) => ({ name: v.name, secret: v.secret, value: v.secret ? null : v.value }));
}

/** A version without its content. */
export function presentVersionSummary(row: VersionRow): StackVersionSummary {
  return {
    id: Number(row.id),
    stackId: Number(row.stackId),
    number: Number(row.number),
    kind: row.kind,
    rollbackOf: row.rollbackOf === null ? null : Number(row.rollbackOf),
    imagePins: json(row.imagePins, {}),
    imageDigests: json(row.imageDigests, {}),
    pull: row.pull,
    gitCommit: row.gitCommit,
    createdBy: row.createdBy === null ? null : Number(row.createdBy),
    createdByName: row.createdByName,
    createdAt: row.createdAt,
    status: row.status,
    reason: row.reason,
    commandId: row.commandId,
    finishedAt: row.finishedAt,
  };
}

/** A whole version (secret values masked). */
export function presentVersion(row: VersionRow): StackVersion {
  return {
    ...presentVersionSummary(row),
    compose: row.compose,
    files: json<StackFile[]>(row.files, []),
    variables: maskedVariables(row.variables),
    plan: json<unknown>(row.plan, null),
    adopted: json<AdoptedProject | null>(row.adopted, null),
  };
}

/** A stack for lists: settings and state, no content. */
export function presentStackSummary(row: StackRow, latest: VersionRow | null): StackPage['items'][number] {
  return {
    id: Number(row.id),
    environmentId: Number(row.environmentId),
    name: row.name,
    projectName: row.projectName,
    source: row.source,
    health: { windowSeconds: Number(row.healthWindowSeconds), onFailure: row.onFailure },
    status: stackStatus(row.state, latest?.status ?? null),
    currentVersionId: row.currentVersionId === null ? null : Number(row.currentVersionId),
    latestVersion: latest ? presentVersionSummary(latest) : null,
    removeError: row.removeError,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** A whole stack (secret values masked). */
export function presentStack(row: StackRow, latest: VersionRow | null): Stack {
  return { ...presentStackSummary(row, latest), compose: row.compose, files: json<StackFile[]>(row.files, []), variables: maskedVariables(row.variables) };
}

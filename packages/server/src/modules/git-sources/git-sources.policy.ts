// Pure decisions of Git sources: whether a new commit redeploys the stack, and when to poll next.

/** Why a commit does or does not redeploy. */
export type RedeployReason =
  | 'forced'
  | 'first_deploy'
  | 'same_commit'
  | 'history_unavailable'
  | 'own_files_changed'
  | 'only_other_paths';

export interface RedeployInput {
  /** The commit the stack was last deployed from through this source; null: never. */
  lastDeployedCommit: string | null;
  /** The commit the ref points at now. */
  commit: string;
  /** Paths that differ between the two commits; null when the old commit is not available to compare. */
  changedPaths: readonly string[] | null;
  /** The stack's own paths (compose file, files it references, configured extras) at either commit. */
  ownPaths: Iterable<string>;
  /** A user asked for a redeploy regardless. */
  force?: boolean;
}

export interface RedeployDecision {
  redeploy: boolean;
  reason: RedeployReason;
  /** The stack's own paths that changed (own_files_changed). */
  paths: string[];
}

/** Redeploys only when the stack's own files differ between the last deployed commit and the new one. */
export function decideRedeploy(i: RedeployInput): RedeployDecision {
  if (i.force) return { redeploy: true, reason: 'forced', paths: [] };
  if (i.lastDeployedCommit === null) return { redeploy: true, reason: 'first_deploy', paths: [] };
  if (i.lastDeployedCommit === i.commit) return { redeploy: false, reason: 'same_commit', paths: [] };
  // Without the old commit nothing proves the files are unchanged: deploying the same files again is harmless.
  if (i.changedPaths === null) return { redeploy: true, reason: 'history_unavailable', paths: [] };
  const own = new Set(i.ownPaths);
  const paths = i.changedPaths.filter((p) => own.has(p)).sort();
  return paths.length > 0 ? { redeploy: true, reason: 'own_files_changed', paths } : { redeploy: false, reason: 'only_other_paths', paths: [] };
}

/**
 * Delay before a source's next poll: the interval with ±10% jitter (so sources configured alike do
 * not fetch in step), doubled per consecutive failure up to 32× the interval and at most an hour
 * more than it. `random` is in [0, 1).
 */
export function nextPollDelayMs(intervalSeconds: number, consecutiveFailures: number, random: number): number {
  const base = intervalSeconds * 1000;
  const backoff = consecutiveFailures > 0 ? Math.min(base * 2 ** Math.min(consecutiveFailures, 5), base + 3_600_000) : base;
  return Math.max(250, Math.round(backoff * (0.9 + 0.2 * random)));
}

// How stack and version statuses read on screen: one colour per status, a human label, and the
// outcome sentence of a finished deploy (the reason of a failure or automatic rollback included).

/** Mantine colour of a stack or version status. */
export function statusColor(status: string): string {
  switch (status) {
    case 'deployed':
      return 'teal';
    case 'deploying':
    case 'queued':
      return 'blue';
    case 'failed':
      return 'red';
    case 'rolled_back':
      return 'orange';
    case 'removing':
      return 'yellow';
    default:
      return 'gray';
  }
}

/** A status as words: "rolled_back" → "Rolled back". */
export function statusLabel(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The statuses after which a version changes no more. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['deployed', 'failed', 'rolled_back', 'superseded']);

/** What a version's outcome says, for the progress panel and the versions table. */
export interface Outcome {
  text: string;
  color: string;
  final: boolean;
}

/** The outcome sentence of a version: "Deployed", "Failed: reason", "Rolled back automatically: reason". */
export function outcomeOf(version: { status: string; reason: string | null; kind?: string }): Outcome {
  const why = version.reason?.trim() || 'no reason was given';
  switch (version.status) {
    case 'deployed':
      return { text: version.kind === 'rollback' ? 'Deployed (rollback)' : 'Deployed', color: 'teal', final: true };
    case 'failed':
      return { text: `Failed: ${why}`, color: 'red', final: true };
    case 'rolled_back':
      return { text: `Rolled back automatically: ${why}`, color: 'orange', final: true };
    case 'superseded':
      return { text: `Superseded: ${why}`, color: 'gray', final: true };
    case 'queued':
      return { text: 'Queued: waiting for the agent to take it', color: 'blue', final: false };
    default:
      return { text: 'Deploying…', color: 'blue', final: false };
  }
}

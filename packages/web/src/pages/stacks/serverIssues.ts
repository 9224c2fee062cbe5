import { ApiError } from '../../api/client.ts';
import type { ServerIssues } from './composeDiagnostics.ts';

/** The compose issues of a failed call about `text` (compose_invalid only), for the editor. */
export function serverIssuesOf(error: unknown, text: string | null): ServerIssues | null {
  if (!(error instanceof ApiError) || text === null || error.problem.code !== 'compose_invalid') return null;
  return { text, problem: error.problem };
}

// The containers tab's filters (search text, compose project, state), kept in the URL's query.
import type { SnapshotContainer } from '@capstan/protocol';

/** Which containers a state filter keeps. */
export type StateFilter = 'all' | 'running' | 'stopped' | 'unhealthy';

/** The containers tab's filters. `project`: a project name, NO_PROJECT, or null for any. */
export interface ContainerFilter {
  q: string;
  project: string | null;
  state: StateFilter;
}

/** The `project` value meaning "containers outside any compose project". */
export const NO_PROJECT = '-';

const STOPPED = new Set(['exited', 'created', 'dead']);

/** Whether a container is in the given state group. */
function inState(c: SnapshotContainer, state: StateFilter): boolean {
  if (state === 'running') return c.state === 'running' || c.state === 'restarting';
  if (state === 'stopped') return STOPPED.has(c.state);
  if (state === 'unhealthy') return c.health === 'unhealthy';
  return true;
}

/** The containers the filter keeps, sorted by compose project then name. */
export function filterContainers(containers: readonly SnapshotContainer[], f: ContainerFilter): SnapshotContainer[] {
  const q = f.q.trim().toLowerCase();
  return containers
    .filter((c) => {
      if (f.project === NO_PROJECT ? c.composeProject !== null : f.project !== null && c.composeProject !== f.project) return false;
      if (!inState(c, f.state)) return false;
      if (q === '') return true;
      return [c.name, c.image, c.id, c.composeService ?? '', c.status].some((v) => v.toLowerCase().includes(q));
    })
    .sort((a, b) => (a.composeProject ?? '').localeCompare(b.composeProject ?? '') || a.name.localeCompare(b.name));
}

/** The filter a URL query describes (unknown values read as "all"). */
export function readContainerFilter(params: URLSearchParams): ContainerFilter {
  const state = params.get('state');
  return {
    q: params.get('q') ?? '',
    project: params.get('project') || null,
    state: state === 'running' || state === 'stopped' || state === 'unhealthy' ? state : 'all',
  };
}

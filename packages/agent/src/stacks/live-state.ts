// The planner's ProjectState from the live engine: the project's containers (by label filter) and
// the engine's networks, volumes and images, mapped exactly as snapshots map them so that a live
// plan and a plan from a snapshot of the same engine state agree.
import { COMPOSE_LABEL, projectStateFromSnapshot, type ProjectState } from '@capstan/protocol';
import type { EngineConnector } from '../engine/engine-connector.ts';
import { getJson } from '../state/collector.ts';
import { toSnapshot } from '../state/docker-mapping.ts';
import { labelFilter } from './engine-client.ts';

/** Lists the engine now and builds project `project`'s state. */
export async function liveProjectState(engine: EngineConnector, project: string): Promise<ProjectState> {
  const filters = encodeURIComponent(labelFilter({ [COMPOSE_LABEL.project]: project }));
  const [containers, images, volumes, networks] = await Promise.all([
    getJson(engine, `/containers/json?all=1&filters=${filters}`),
    getJson(engine, '/images/json'),
    getJson(engine, '/volumes'),
    getJson(engine, '/networks'),
  ]);
  return projectStateFromSnapshot(toSnapshot({ info: {}, version: {}, containers, images, volumes, networks }, ''), project);
}

// What the planner plans against: a compose project's containers as the engine has them, plus the
// engine's networks, volumes and images (targets may name ones that exist outside the project).
// Built from a snapshot here (the server, host offline) or from live listings (the agent).
import type { EngineSnapshot, SnapshotContainer } from '../snapshot/schema.ts';
import type { LocalImage } from './image-ref.ts';
import { COMPOSE_LABEL } from './labels.ts';

/** One container of the project. */
export interface ProjectContainer {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** com.docker.compose.service, or null. */
  readonly service: string | null;
  /** com.docker.compose.container-number, or null when absent or not a number. */
  readonly number: number | null;
  /** A `run` container (com.docker.compose.oneoff=True): never planned. */
  readonly oneoff: boolean;
  /** Image reference the container was created from, as the engine lists it. */
  readonly image: string;
  /** Image id the container runs (sha256:…). */
  readonly imageId: string;
  /** created, running, paused, restarting, removing, exited, dead */
  readonly state: string;
  /** healthy, unhealthy, starting, or null without a healthcheck. */
  readonly health: string | null;
  /** Exit code of an exited container, when the engine's status says it. */
  readonly exitCode: number | null;
}

/** An engine network. */
export interface ProjectNetwork {
  readonly id: string;
  readonly name: string;
  /** The engine's driver (bridge, overlay, …). */
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An engine volume. */
export interface ProjectVolume {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The engine state a plan is computed against. */
export interface ProjectState {
  readonly project: string;
  /** Containers labelled with the project. */
  readonly containers: readonly ProjectContainer[];
  /** Every network of the engine. */
  readonly networks: readonly ProjectNetwork[];
  /** Every volume of the engine. */
  readonly volumes: readonly ProjectVolume[];
  /** Every image of the engine. */
  readonly images: readonly LocalImage[];
}

/** Exit code from Docker's status text ("Exited (137) 5 minutes ago", "Exited (0)"). */
export function exitCodeFromStatus(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/** The planner's view of a snapshot container. */
export function projectContainer(c: SnapshotContainer): ProjectContainer {
  const n = Number(c.labels[COMPOSE_LABEL.containerNumber]);
  return {
    id: c.id,
    name: c.name,
    labels: c.labels,
    service: c.labels[COMPOSE_LABEL.service] ?? null,
    number: Number.isInteger(n) && n > 0 ? n : null,
    oneoff: (c.labels[COMPOSE_LABEL.oneoff] ?? '').toLowerCase() === 'true',
    image: c.image,
    imageId: c.imageId,
    state: c.state,
    health: c.health,
    exitCode: exitCodeFromStatus(c.status),
  };
}

const byString = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/**
 * The state of project `projectName` in a snapshot (containers by their compose project label).
 * The agent builds its live state through the same function from the same mapping, so a plan
 * from a snapshot equals the live one for the same engine state.
 */
export function projectStateFromSnapshot(snapshot: Pick<EngineSnapshot, 'containers' | 'networks' | 'volumes' | 'images'>, projectName: string): ProjectState {
  return {
    project: projectName,
    containers: snapshot.containers
      .filter((c) => c.labels[COMPOSE_LABEL.project] === projectName)
      .map(projectContainer)
      .sort(byString((c) => c.id)),
    networks: snapshot.networks.map((n) => ({ id: n.id, name: n.name, driver: n.driver, labels: n.labels })).sort(byString((n) => n.id)),
    volumes: snapshot.volumes.map((v) => ({ name: v.name, labels: v.labels })).sort(byString((v) => v.name)),
    images: snapshot.images.map((i) => ({ id: i.id, repoTags: i.repoTags, repoDigests: i.repoDigests })).sort(byString((i) => i.id)),
  };
}

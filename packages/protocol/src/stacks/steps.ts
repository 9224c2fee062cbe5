// The typed steps a plan turns into, in the order they must run. Executors (the agent) carry them
// out one by one against the engine; the target project supplies everything a step does not carry.
import type { DependencyCondition } from '../compose/model.ts';

/** Pull an image (a tag, or a pinned repo@sha256 reference) for the services that use it. */
export interface PullImageStep {
  readonly kind: 'pull-image';
  readonly reference: string;
  readonly services: readonly string[];
}

/** Create a project network (engine name `name`, project key `key`). */
export interface CreateNetworkStep {
  readonly kind: 'create-network';
  readonly key: string;
  readonly name: string;
}

/** Create a project volume. */
export interface CreateVolumeStep {
  readonly kind: 'create-volume';
  readonly key: string;
  readonly name: string;
}

/** Why a container goes away. */
export type RemovalReason = 'recreate' | 'scale-down' | 'orphan';

/** Stop a running container (graceful, with the service's stop timeout when known). */
export interface StopContainerStep {
  readonly kind: 'stop-container';
  readonly service: string;
  readonly containerId: string;
  readonly name: string;
  readonly reason: RemovalReason;
}

/** Remove a container; its volumes stay (anonymous ones go only with stack.remove's removeVolumes, as with `docker-compose down -v`). */
export interface RemoveContainerStep {
  readonly kind: 'remove-container';
  readonly service: string;
  readonly containerId: string;
  readonly name: string;
  readonly reason: RemovalReason;
}

/** Create container `number` of `service` (named `name`), from the target's service spec. */
export interface CreateContainerStep {
  readonly kind: 'create-container';
  readonly service: string;
  readonly number: number;
  readonly name: string;
  /** The image reference to create from (the pin when the target has one). */
  readonly image: string;
  readonly configHash: string;
  /** Id of the container this one replaces (a recreation): its anonymous volumes are mounted at the same paths. */
  readonly replaces?: string;
}

/** Start a container (by name: one just created, or an up-to-date one that is stopped). */
export interface StartContainerStep {
  readonly kind: 'start-container';
  readonly service: string;
  readonly name: string;
}

/** Before touching `service`, wait until `dependency`'s containers meet the depends_on condition. */
export interface WaitDependencyStep {
  readonly kind: 'wait-dependency';
  readonly service: string;
  readonly dependency: string;
  readonly condition: DependencyCondition;
}

/** Remove a network the project created that the target no longer has. */
export interface RemoveNetworkStep {
  readonly kind: 'remove-network';
  readonly name: string;
}

/** One step of a stack plan. */
export type StackStep =
  | PullImageStep
  | CreateNetworkStep
  | CreateVolumeStep
  | StopContainerStep
  | RemoveContainerStep
  | CreateContainerStep
  | StartContainerStep
  | WaitDependencyStep
  | RemoveNetworkStep;

/** A one-line description of a step, for progress events and logs. */
export function describeStep(step: StackStep): string {
  switch (step.kind) {
    case 'pull-image':
      return `pull ${step.reference}`;
    case 'create-network':
      return `create network ${step.name}`;
    case 'create-volume':
      return `create volume ${step.name}`;
    case 'stop-container':
      return `stop ${step.name} (${step.reason})`;
    case 'remove-container':
      return `remove ${step.name} (${step.reason})`;
    case 'create-container':
      return `create ${step.name}`;
    case 'start-container':
      return `start ${step.name}`;
    case 'wait-dependency':
      return `wait for ${step.dependency} (${step.condition}) before ${step.service}`;
    case 'remove-network':
      return `remove network ${step.name}`;
  }
}

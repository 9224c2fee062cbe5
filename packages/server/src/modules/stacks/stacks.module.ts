// Wiring of the stacks feature: its services over one set of dependencies, the hook that lands
// command outcomes on versions, and the progress bus that carries deploy progress to streams.
import type { Kysely } from 'kysely';
import type { MainDatabase } from '../../db/schema.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import type { AccessService } from '../access/access.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { CommandProgressBus } from '../commands/commands.progress.ts';
import type { CommandsService } from '../commands/commands.service.ts';
import type { Publish } from '../events/events.hub.ts';
import type { SnapshotsService } from '../snapshots/snapshots.service.ts';
import { registryAuthFor, type RegistryAuthResolver } from './registry-auth.ts';
import { StackAdopter } from './stacks.adopt.ts';
import { StackContent } from './stacks.content.ts';
import { StackDeployer } from './stacks.deploy.ts';
import { StackEvents } from './stacks.events.ts';
import { stackCommandHook } from './stacks.outcomes.ts';
import { StackPlanner } from './stacks.plan.ts';
import { StacksRepository } from './stacks.repository.ts';
import { StacksService } from './stacks.service.ts';

export interface StacksModuleDeps {
  db: Kysely<MainDatabase>;
  access: AccessService;
  audit: AuditService;
  commands: CommandsService;
  snapshots: SnapshotsService;
  secrets: SecretBox;
  /** Whether the environment's agent is connected and runs commands. */
  isLive(environmentId: number): boolean;
  registryAuth?: RegistryAuthResolver;
  now?: () => Date;
  /** How long a live plan may take (default 30 s). */
  planTimeoutMs?: number;
  /** Change notices (live events) of stacks; none when absent. */
  publish?: Publish;
}

/** The stacks feature, ready for routes; register `progress` as a tunnel app. */
export interface StacksModule {
  service: StacksService;
  deployer: StackDeployer;
  planner: StackPlanner;
  adopter: StackAdopter;
  events: StackEvents;
  /** Progress of running commands (command-progress frames). */
  progress: CommandProgressBus;
  close(): void;
}

/** Builds the stacks feature and hooks it into the command log. */
export function createStacksModule(opts: StacksModuleDeps): StacksModule {
  const repo = new StacksRepository(opts.db);
  const now = opts.now ?? (() => new Date());
  const deps = {
    db: opts.db,
    repo,
    content: new StackContent(opts.secrets),
    access: opts.access,
    audit: opts.audit,
    commands: opts.commands,
    snapshots: opts.snapshots,
    registryAuth: opts.registryAuth ?? registryAuthFor,
    isLive: (environmentId: number) => opts.isLive(environmentId),
    now,
    publish: opts.publish ?? (() => undefined),
  };
  const progress = new CommandProgressBus();
  const events = new StackEvents(deps, progress);
  opts.commands.hookTransitions(stackCommandHook(repo, now));
  opts.commands.onFinished((row) => progress.finish(Number(row.environmentId), row.id));
  return {
    service: new StacksService(deps),
    deployer: new StackDeployer(deps),
    planner: new StackPlanner(deps, opts.planTimeoutMs),
    adopter: new StackAdopter(deps),
    events,
    progress,
    close: () => {
      // Open event streams would keep their connections (and so the server's close) waiting.
      events.closeAll();
      progress.close();
    },
  };
}

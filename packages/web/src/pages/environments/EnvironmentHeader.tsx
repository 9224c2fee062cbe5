import { Anchor, Breadcrumbs, Group, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatAgo, formatBytes, formatTime } from '../../components/time.ts';
import { ModeBadge } from './ModeBadge.tsx';

/** One line about the engine: Docker version, OS, architecture, CPUs and memory. */
function engineLine(view: EnvironmentSnapshotView | undefined, env: Environment): string | null {
  const e = view?.snapshot.engine;
  if (!e) return env.engineVersion ? `Docker ${env.engineVersion}` : null;
  return `Docker ${e.version} · ${e.os} · ${e.arch} · ${e.cpus} CPU${e.cpus === 1 ? '' : 's'} · ${formatBytes(e.memoryBytes)} · ${e.storageDriver}`;
}

/** "connected" while a standard agent holds its tunnel (its last-seen time is not refreshed then), else when it was last heard from. */
function lastContact(env: Pick<Environment, 'status' | 'mode' | 'lastSeenAt'>, now: number): string {
  if (env.status === 'up' && env.mode === 'standard') return 'connected';
  return env.lastSeenAt ? `last seen ${formatAgo(env.lastSeenAt, now)}` : 'never seen';
}

/** The environment page's title block: breadcrumbs, name, status, mode, engine and last contact. */
export function EnvironmentHeader({ env, view, now }: { env: Environment; view: EnvironmentSnapshotView | undefined; now: number }) {
  const engine = engineLine(view, env);
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/" size="sm">
          Environments
        </Anchor>
        <Text size="sm">{env.name}</Text>
      </Breadcrumbs>
      <PageHeader
        title={env.name}
        badge={
          <Group gap={6}>
            <StatusBadge status={env.status} lastSeenAt={env.lastSeenAt} />
            <ModeBadge mode={env.mode} />
          </Group>
        }
        description={
          <>
            {engine && <span>{engine}</span>}
            {engine && ' — '}
            <span title={env.lastSeenAt ? formatTime(env.lastSeenAt) : undefined}>{lastContact(env, now)}</span>
            {env.agentVersion && ` · agent ${env.agentVersion}`}
          </>
        }
      />
    </>
  );
}

import { Anchor, Breadcrumbs, Group, Text } from '@mantine/core';
import type { EnqueueCommand, Environment, SnapshotContainer } from '@capstan/protocol';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ContainerActions } from './ContainerActions.tsx';
import { HealthBadge, StateBadge } from './ContainerBadges.tsx';
import { containerName } from './container-format.ts';

/** Breadcrumbs, the container's name, state, health and image, and its lifecycle actions. */
export function ContainerHeader({
  env,
  container,
  run,
  busy,
}: {
  env: Environment;
  container: SnapshotContainer;
  run: (spec: EnqueueCommand, label: string) => void;
  busy: boolean;
}) {
  const name = containerName(container.name);
  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/" size="sm">
          Environments
        </Anchor>
        <Anchor component={Link} to={`/environments/${env.id}`} size="sm">
          {env.name}
        </Anchor>
        <Text size="sm">{name}</Text>
      </Breadcrumbs>
      <PageHeader
        title={name}
        badge={
          <Group gap={6}>
            <StateBadge state={container.state} />
            <HealthBadge health={container.health} />
          </Group>
        }
        description={`${container.image} · ${container.status}${container.composeProject ? ` · ${container.composeProject}${container.composeService ? ` / ${container.composeService}` : ''}` : ''}`}
        actions={<ContainerActions env={env} container={container} run={run} busy={busy} variant="buttons" />}
      />
    </>
  );
}

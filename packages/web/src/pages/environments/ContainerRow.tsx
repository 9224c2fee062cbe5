import { Anchor, Badge, Group, Loader, Stack, Table, Text } from '@mantine/core';
import type { Command, EnqueueCommand, Environment, SnapshotContainer } from '@capstan/protocol';
import { Link } from 'react-router';
import { formatAgo, formatTime } from '../../components/time.ts';
import { ContainerActions } from '../containers/ContainerActions.tsx';
import { HealthBadge, StateBadge } from '../containers/ContainerBadges.tsx';
import { containerName, formatPorts } from '../containers/container-format.ts';

/** One container of the containers table. */
export function ContainerRow({
  env,
  container: c,
  stackId,
  inFlight,
  run,
  now,
}: {
  env: Environment;
  container: SnapshotContainer;
  stackId: number | undefined;
  inFlight: Command | null;
  run: (spec: EnqueueCommand, label: string) => void;
  now: number;
}) {
  const name = containerName(c.name);
  const ports = formatPorts(c.ports);
  return (
    <Table.Tr data-container-id={c.id}>
      <Table.Td>
        <Anchor component={Link} to={`/environments/${env.id}/containers/${encodeURIComponent(c.id)}`} fw={500}>
          {name}
        </Anchor>
        {c.composeService && (
          <Text size="xs" c="dimmed">
            service {c.composeService}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <Group gap={4}>
            <StateBadge state={c.state} />
            <HealthBadge health={c.health} />
          </Group>
          {inFlight && (
            <Group gap={4} wrap="nowrap">
              <Loader size={10} />
              <Text size="xs" c="dimmed">
                {inFlight.kind.replace('container.', '')}: {inFlight.status}
              </Text>
            </Group>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{c.status}</Text>
      </Table.Td>
      <Table.Td maw={260}>
        <Text size="sm" truncate="end" title={c.image}>
          {c.image}
        </Text>
      </Table.Td>
      <Table.Td>
        {ports.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          ports.map((p) => (
            <Text key={p} size="xs" ff="monospace">
              {p}
            </Text>
          ))
        )}
      </Table.Td>
      <Table.Td>
        {c.composeProject === null ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : stackId !== undefined ? (
          <Anchor component={Link} to={`/stacks/${stackId}`} size="sm">
            {c.composeProject}
          </Anchor>
        ) : (
          <Badge variant="outline" color="gray" title="A compose project Capstan does not manage">
            {c.composeProject}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={formatTime(c.createdAt)}>
          {formatAgo(c.createdAt, now)}
        </Text>
      </Table.Td>
      <Table.Td>
        <ContainerActions env={env} container={c} run={run} busy={inFlight !== null} />
      </Table.Td>
    </Table.Tr>
  );
}

import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { Link } from 'react-router';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { ModeBadge } from '../environments/ModeBadge.tsx';
import { ContainerCounts } from './ContainerCounts.tsx';

/** One environment in the home list. */
export function EnvironmentRow({ env, groupName, now }: { env: Environment; groupName: string | null; now: number }) {
  return (
    <Table.Tr data-environment-id={env.id}>
      <Table.Td>
        <Anchor component={Link} to={`/environments/${env.id}`} fw={500}>
          {env.name}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Stack gap={2} align="flex-start">
          <StatusBadge status={env.status} lastSeenAt={env.lastSeenAt} />
          {env.status === 'down' && env.lastSeenAt && (
            <Text size="xs" c="dimmed" title={formatTime(env.lastSeenAt)}>
              since {formatAgo(env.lastSeenAt, now)}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Stack gap={2} align="flex-start">
          <ModeBadge mode={env.mode} />
          {env.mode === 'async' && env.stateAsOf && (
            <Text size="xs" c="dimmed" title={formatTime(env.stateAsOf)}>
              state as of {formatAgo(env.stateAsOf, now)}
            </Text>
          )}
          {env.queueLength > 0 && (
            <Text size="xs" c="yellow.8">
              {env.queueLength} queued
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        {env.status === 'up' && env.mode === 'standard' ? (
          <Text size="sm" c="teal">
            connected
          </Text>
        ) : env.lastSeenAt ? (
          <Text size="sm" title={formatTime(env.lastSeenAt)}>
            {formatAgo(env.lastSeenAt, now)}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            never
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <ContainerCounts counts={env.containers} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={groupName ? undefined : 'dimmed'}>
          {groupName ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {env.tags.map((t) => (
            <Badge key={t.id} variant="light" size="sm" radius="sm">
              {t.name}
            </Badge>
          ))}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

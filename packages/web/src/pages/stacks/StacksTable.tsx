import { Anchor, Badge, Table, Text, Tooltip } from '@mantine/core';
import type { Environment, StackPage } from '@capstan/protocol';
import { Link } from 'react-router';
import { formatAgo, formatTime } from '../../components/time.ts';
import { StackStatusBadge } from './StackStatusBadge.tsx';

type StackRow = StackPage['items'][number];

/** The stacks table: name, environment, status, version, source, last deploy. */
export function StacksTable({ stacks, environments }: { stacks: StackRow[]; environments: ReadonlyMap<number, Environment> }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Environment</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th>Last deploy</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {stacks.map((s) => {
            const env = environments.get(s.environmentId);
            const last = s.latestVersion;
            return (
              <Table.Tr key={s.id} data-stack={s.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/stacks/${s.id}`} fw={500}>
                    {s.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/environments/${s.environmentId}`} size="sm">
                    {env?.name ?? `#${s.environmentId}`}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StackStatusBadge status={s.status} />
                </Table.Td>
                <Table.Td>{last ? <Text size="sm">v{last.number}</Text> : <Text size="sm" c="dimmed">none</Text>}</Table.Td>
                <Table.Td>
                  <Badge variant="outline" color="gray" tt="none">
                    {s.source}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {last ? (
                    <Tooltip label={formatTime(last.createdAt)}>
                      <Text size="sm">
                        {formatAgo(last.createdAt)}
                        {last.createdByName ? ` by ${last.createdByName}` : ''}
                      </Text>
                    </Tooltip>
                  ) : (
                    <Text size="sm" c="dimmed">
                      never deployed
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

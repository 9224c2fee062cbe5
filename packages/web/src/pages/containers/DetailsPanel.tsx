import { Anchor, Code, DataList, Paper, SimpleGrid, Table, Text, Title } from '@mantine/core';
import type { SnapshotContainer } from '@capstan/protocol';
import { Link } from 'react-router';
import { formatAgo, formatTime } from '../../components/time.ts';
import { InfoItem } from '../environments/InfoItem.tsx';
import { HealthBadge, StateBadge } from './ContainerBadges.tsx';
import { containerName, formatPorts } from './container-format.ts';

/** The container as the latest snapshot records it: identity, state, ports, compose labels, all labels. */
export function DetailsPanel({ container: c, stackId, takenAt }: { container: SnapshotContainer; stackId: number | undefined; takenAt: string }) {
  const labels = Object.entries(c.labels).sort(([a], [b]) => a.localeCompare(b));
  const ports = formatPorts(c.ports);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Paper withBorder p="md">
        <Title order={4} mb="sm">
          Container
        </Title>
        <DataList labelWidth={130}>
          <InfoItem label="Name">{containerName(c.name)}</InfoItem>
          <InfoItem label="ID">
            <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {c.id}
            </Text>
          </InfoItem>
          <InfoItem label="State">
            <StateBadge state={c.state} /> <HealthBadge health={c.health} />
          </InfoItem>
          <InfoItem label="Status">{c.status}</InfoItem>
          <InfoItem label="Image">{c.image}</InfoItem>
          <InfoItem label="Image ID">
            <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {c.imageId}
            </Text>
          </InfoItem>
          <InfoItem label="Command">
            <Code>{c.command || '—'}</Code>
          </InfoItem>
          <InfoItem label="Created">
            {formatTime(c.createdAt)} ({formatAgo(c.createdAt)})
          </InfoItem>
          <InfoItem label="Ports">{ports.length === 0 ? '—' : ports.join(', ')}</InfoItem>
          <InfoItem label="Compose">
            {c.composeProject ? (
              <>
                {stackId !== undefined ? (
                  <Anchor component={Link} to={`/stacks/${stackId}`}>
                    {c.composeProject}
                  </Anchor>
                ) : (
                  c.composeProject
                )}
                {c.composeService ? ` / ${c.composeService}` : ''}
              </>
            ) : (
              '—'
            )}
          </InfoItem>
          <InfoItem label="Recorded">{formatTime(takenAt)}</InfoItem>
        </DataList>
      </Paper>
      <Paper withBorder p="md">
        <Title order={4} mb="sm">
          Labels
        </Title>
        {labels.length === 0 ? (
          <Text size="sm" c="dimmed">
            No labels (or left out of a large snapshot).
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={400}>
            <Table verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {labels.map(([k, v]) => (
                  <Table.Tr key={k}>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {k}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                        {v}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </SimpleGrid>
  );
}

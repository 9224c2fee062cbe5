import { Badge, Code, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { EnvironmentScope } from '../../auth/permissions.ts';
import type { StackVersionSummary } from '@capstan/protocol';
import { Guarded } from '../../components/Guarded.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { RollbackButton } from './RollbackButton.tsx';
import { StackStatusBadge } from './StackStatusBadge.tsx';
import { outcomeOf } from './stackStatus.ts';

function Outcome({ v }: { v: StackVersionSummary }) {
  const outcome = outcomeOf(v);
  if (v.status === 'deployed' && !v.reason) return <Text size="sm" c="dimmed">{outcome.text}</Text>;
  return (
    <Text size="sm" c={outcome.color} style={{ wordBreak: 'break-word' }}>
      {v.status === 'deployed' ? v.reason : outcome.text}
    </Text>
  );
}

/** The versions, newest first, each with its outcome (the reason of a failure or automatic rollback shown in full). */
export function VersionsTable({ stackId, versions, currentVersionId, env }: { stackId: number; versions: StackVersionSummary[]; currentVersionId: number | null; env: EnvironmentScope | null }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="xs" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Version</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Author</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Git commit</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v) => (
            <Table.Tr key={v.id} data-testid="version-row" data-version={v.number} data-status={v.status}>
              <Table.Td>
                <Group gap={6} wrap="wrap" miw={140}>
                  <Text fw={500}>{v.number}</Text>
                  {v.id === currentVersionId && (
                    <Badge size="xs" variant="filled" color="teal" miw="fit-content">
                      running
                    </Badge>
                  )}
                  {v.kind !== 'deploy' && (
                    <Badge size="xs" variant="outline" color="gray" tt="none">
                      {v.kind === 'rollback' ? `rollback of ${versions.find((o) => o.id === v.rollbackOf)?.number ?? '?'}` : 'adopted'}
                    </Badge>
                  )}
                  {v.pull === 'always' && (
                    <Badge size="xs" variant="outline" color="blue" tt="none">
                      pulled
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <StackStatusBadge status={v.status} />
              </Table.Td>
              <Table.Td>{v.createdByName ?? <Text c="dimmed" size="sm">system</Text>}</Table.Td>
              <Table.Td>
                <Tooltip label={formatTime(v.createdAt)}>
                  <Text size="sm">{formatAgo(v.createdAt)}</Text>
                </Tooltip>
              </Table.Td>
              <Table.Td>{v.gitCommit ? <Code title={v.gitCommit}>{v.gitCommit.slice(0, 10)}</Code> : <Text c="dimmed" size="sm">—</Text>}</Table.Td>
              <Table.Td maw={420}>
                <Outcome v={v} />
              </Table.Td>
              <Table.Td>
                {v.kind !== 'adopt' && env && (
                  <Guarded permission="stacks.deploy" env={env}>
                    <RollbackButton stackId={stackId} version={v} />
                  </Guarded>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

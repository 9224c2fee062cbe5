import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { IconPlus } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { StackStatusBadge } from './StackStatusBadge.tsx';
import { UnmanagedProjects } from './UnmanagedProjects.tsx';
import { useEnvStacks } from './useEnvStacks.ts';

/** The environment's stacks, a way to start a new one, and running projects to adopt. */
export function StacksTab({ env, view }: { env: Environment; view: EnvironmentSnapshotView | undefined }) {
  const session = useSession();
  const navigate = useNavigate();
  const readable = session.can('stacks.read', env);
  const stacks = useEnvStacks(env.id, readable);
  if (!readable) return <Text c="dimmed">{session.whyNot('stacks.read', env)}</Text>;
  const items = stacks.data?.items ?? [];
  const managed = new Set(items.map((s) => s.projectName));
  const unmanaged = (view?.snapshot.composeProjects ?? []).filter((p) => !managed.has(p.name));
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {items.length} stack{items.length === 1 ? '' : 's'} on this environment
        </Text>
        {session.can('stacks.deploy', env) && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => void navigate(`/stacks/new?environmentId=${env.id}`)}>
            New stack
          </Button>
        )}
      </Group>
      <ProblemAlert error={stacks.error} title="The stacks could not be loaded" />
      {stacks.isPending && <Loading />}
      {stacks.data && items.length === 0 && (
        <Text c="dimmed" py="md">
          No stacks yet.
        </Text>
      )}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/stacks/${s.id}`} fw={500}>
                      {s.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StackStatusBadge status={s.status} />
                  </Table.Td>
                  <Table.Td>{s.latestVersion ? `v${s.latestVersion.number}` : '—'}</Table.Td>
                  <Table.Td>{s.source}</Table.Td>
                  <Table.Td>
                    <Text size="sm" title={formatTime(s.updatedAt)}>
                      {formatAgo(s.updatedAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {stacks.data && <UnmanagedProjects env={env} projects={unmanaged} />}
    </>
  );
}

import { Badge, Table, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { passthroughUnavailable } from './docker.ts';
import { PassthroughNote } from './PassthroughNote.tsx';
import { RemoveObjectButton } from './RemoveObjectButton.tsx';

/** The engine's volumes: name, driver, compose project and where the data lives. */
export function VolumesTab({ env, view }: { env: Environment; view: EnvironmentSnapshotView }) {
  const session = useSession();
  const allowed = session.can('volumes.manage', env);
  const reason = passthroughUnavailable(env);
  const volumes = [...view.snapshot.volumes].sort((a, b) => a.name.localeCompare(b.name));
  if (volumes.length === 0) return <Text c="dimmed">No volumes on this host.</Text>;
  return (
    <>
      {allowed && <PassthroughNote reason={reason} />}
      <Table.ScrollContainer minWidth={800}>
        <Table highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Driver</Table.Th>
              <Table.Th>Project</Table.Th>
              <Table.Th>Mount point</Table.Th>
              {allowed && !reason && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {volumes.map((v) => (
              <Table.Tr key={v.name}>
                <Table.Td maw={320}>
                  <Text size="sm" ff="monospace" truncate="end" title={v.name}>
                    {v.name}
                  </Text>
                </Table.Td>
                <Table.Td>{v.driver}</Table.Td>
                <Table.Td>{v.composeProject ? <Badge variant="outline" color="gray">{v.composeProject}</Badge> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                <Table.Td maw={360}>
                  <Text size="xs" ff="monospace" truncate="end" title={v.mountpoint}>
                    {v.mountpoint}
                  </Text>
                </Table.Td>
                {allowed && !reason && (
                  <Table.Td>
                    <RemoveObjectButton
                      environmentId={env.id}
                      kind="volumes"
                      idOrName={v.name}
                      label={v.name}
                      explanation="The volume and all its data are deleted for good. Docker refuses while a container uses it."
                    />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

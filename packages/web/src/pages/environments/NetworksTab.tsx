import { Badge, Table, Text } from '@mantine/core';
import type { Environment, EnvironmentSnapshotView } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { shortId } from '../containers/container-format.ts';
import { passthroughUnavailable } from './docker.ts';
import { PassthroughNote } from './PassthroughNote.tsx';
import { RemoveObjectButton } from './RemoveObjectButton.tsx';

/** Docker's own networks: they cannot be removed. */
const PREDEFINED = new Set(['bridge', 'host', 'none']);

/** The engine's networks: name, driver, scope and compose project. */
export function NetworksTab({ env, view }: { env: Environment; view: EnvironmentSnapshotView }) {
  const session = useSession();
  const allowed = session.can('networks.manage', env);
  const reason = passthroughUnavailable(env);
  const networks = [...view.snapshot.networks].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      {allowed && <PassthroughNote reason={reason} />}
      <Table.ScrollContainer minWidth={760}>
        <Table highlightOnHover verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Driver</Table.Th>
              <Table.Th>Scope</Table.Th>
              <Table.Th>Project</Table.Th>
              <Table.Th>ID</Table.Th>
              {allowed && !reason && <Table.Th>Actions</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {networks.map((n) => (
              <Table.Tr key={n.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {n.name}
                  </Text>
                </Table.Td>
                <Table.Td>{n.driver}</Table.Td>
                <Table.Td>{n.scope}</Table.Td>
                <Table.Td>{n.composeProject ? <Badge variant="outline" color="gray">{n.composeProject}</Badge> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {shortId(n.id)}
                  </Text>
                </Table.Td>
                {allowed && !reason && (
                  <Table.Td>
                    {!PREDEFINED.has(n.name) && (
                      <RemoveObjectButton
                        environmentId={env.id}
                        kind="networks"
                        idOrName={n.id}
                        label={n.name}
                        explanation="The network is deleted. Docker refuses while containers are connected to it."
                      />
                    )}
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

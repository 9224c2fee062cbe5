import { Table } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { useNow } from '../environments/useNow.ts';
import { EnvironmentRow } from './EnvironmentRow.tsx';

/** The environment list as a table (scrolls sideways on narrow screens). */
export function EnvironmentsTable({ items, groupName }: { items: Environment[]; groupName: (id: number | null) => string | null }) {
  const now = useNow();
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Mode</Table.Th>
            <Table.Th>Last seen</Table.Th>
            <Table.Th>Containers</Table.Th>
            <Table.Th>Group</Table.Th>
            <Table.Th>Tags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((env) => (
            <EnvironmentRow key={env.id} env={env} groupName={groupName(env.groupId)} now={now} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

import { Table, VisuallyHidden } from '@mantine/core';
import type { AuditRecord } from '@capstan/protocol';
import { useState } from 'react';
import { AuditRow } from './AuditRow.tsx';

/** The loaded audit records, newest first; each row expands to its details. */
export function AuditTable({ records, onFilter }: { records: readonly AuditRecord[]; onFilter: (key: 'user' | 'action' | 'requestId', value: string) => void }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string): void =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table verticalSpacing={6} highlightOnHover aria-label="Audit log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <VisuallyHidden>Details</VisuallyHidden>
            </Table.Th>
            <Table.Th>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Source IP</Table.Th>
            <Table.Th>Request</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.map((r) => (
            <AuditRow key={r.id} r={r} expanded={open.has(r.id)} onToggle={() => toggle(r.id)} onFilter={onFilter} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

import { Code, Modal, Stack, Table, Text } from '@mantine/core';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatTime } from '../../components/time.ts';
import { commandOutcome } from './command-kinds.ts';
import { CommandStatusBadge } from './CommandStatusBadge.tsx';

/** One command in full: its payload, each step of its life, and its result. */
export function CommandDetailModal({ environmentId, commandId, onClose }: { environmentId: number; commandId: string | null; onClose: () => void }) {
  const cmd = useApi('GET /api/environments/:id/commands/:commandId', { params: { id: environmentId, commandId: commandId ?? '' } }, { enabled: commandId !== null });
  const c = cmd.data;
  return (
    <Modal opened={commandId !== null} onClose={onClose} title={c ? `Command ${c.seq}: ${c.kind}` : 'Command'} size="lg">
      <ProblemAlert error={cmd.error} />
      {cmd.isPending && <Loading />}
      {c && (
        <Stack gap="sm">
          <CommandStatusBadge status={c.status} />
          {commandOutcome(c) && <Text size="sm">{commandOutcome(c)}</Text>}
          <Text size="sm" fw={500}>
            Payload
          </Text>
          <Code block>{JSON.stringify(c.payload, null, 2)}</Code>
          {c.output !== null && c.output !== undefined && (
            <>
              <Text size="sm" fw={500}>
                Output
              </Text>
              <Code block>{JSON.stringify(c.output, null, 2)}</Code>
            </>
          )}
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Step</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.history.map((h, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{formatTime(h.at)}</Table.Td>
                  <Table.Td>{h.event}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {h.detail ? JSON.stringify(h.detail) : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
    </Modal>
  );
}

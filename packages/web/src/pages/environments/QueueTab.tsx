// The environment's command log: for async environments the queue waiting for the next poll, for
// standard ones the recent commands. Live `command` events refresh it.
import { Anchor, Group, Pagination, Select, Table, Text } from '@mantine/core';
import { CommandStatusSchema, type CommandStatus, type Environment, type EnvironmentSnapshotView } from '@capstan/protocol';
import { keepPreviousData } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { containerName } from '../containers/container-format.ts';
import { CommandActions } from './CommandActions.tsx';
import { CommandDetailModal } from './CommandDetailModal.tsx';
import { commandOutcome, commandTarget } from './command-kinds.ts';
import { CommandStatusBadge } from './CommandStatusBadge.tsx';
import { nextPoll } from './poll-text.ts';

const PAGE = 25;

/** Commands of the environment, newest first, filterable by status, with cancel and retry. */
export function QueueTab({ env, now, view }: { env: Environment; now: number; view: EnvironmentSnapshotView | undefined }) {
  // Container commands name the container by id: show its name while the snapshot still has it.
  const names = new Map((view?.snapshot.containers ?? []).map((c) => [c.id, containerName(c.name)]));
  const [status, setStatus] = useState<CommandStatus | null>(null);
  const [page, setPage] = useState(1);
  const [openId, setOpenId] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const list = useApi(
    'GET /api/environments/:id/commands',
    { params: { id: env.id }, query: { limit: PAGE, offset: (page - 1) * PAGE, ...(status ? { status } : {}) } },
    { placeholderData: keepPreviousData },
  );
  const total = list.data?.total ?? 0;
  return (
    <>
      <Group justify="space-between" align="flex-end" mb="sm" wrap="wrap">
        <Text size="sm" c="dimmed" maw={640}>
          {env.mode === 'async'
            ? `The queue: commands wait here for the agent's next poll${env.nextPollAt ? ` (${nextPoll(env.nextPollAt, now)})` : ''} and run in order.`
            : 'Recent commands: they run in order through the durable command log; an offline agent gets them when it reconnects.'}
        </Text>
        <Select
          label="Status"
          placeholder="Any"
          data={CommandStatusSchema.options}
          value={status}
          onChange={(v) => {
            setStatus(CommandStatusSchema.safeParse(v).data ?? null);
            setPage(1);
          }}
          clearable
          w={180}
        />
      </Group>
      <ProblemAlert error={list.error ?? actionError} />
      {list.isPending && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <Text c="dimmed" py="md">
          {status ? `No ${status} commands.` : 'No commands yet.'}
        </Text>
      )}
      {list.data && list.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((c) => (
                <Table.Tr key={c.id} data-command-id={c.id}>
                  <Table.Td>
                    <Anchor component="button" type="button" size="sm" onClick={() => setOpenId(c.id)} aria-label={`Details of command ${c.seq}`}>
                      {c.seq}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {c.kind}
                    </Text>
                  </Table.Td>
                  <Table.Td maw={220}>
                    <Text size="sm" truncate="end" title={commandTarget(c)}>
                      {names.get(commandTarget(c)) ?? commandTarget(c)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <CommandStatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" title={formatTime(c.createdAt)}>
                      {formatAgo(c.createdAt, now)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{c.attempts}</Table.Td>
                  <Table.Td maw={300}>
                    <Text size="sm" c={c.error ? 'red' : 'dimmed'} lineClamp={2}>
                      {commandOutcome(c) ?? (c.finishedAt ? `done ${formatAgo(c.finishedAt, now)}` : '')}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <CommandActions env={env} command={c} onError={setActionError} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {total > PAGE && (
        <Group justify="center" mt="md">
          <Pagination total={Math.ceil(total / PAGE)} value={page} onChange={setPage} aria-label="Pages of commands" />
        </Group>
      )}
      <CommandDetailModal environmentId={env.id} commandId={openId} onClose={() => setOpenId(null)} />
    </>
  );
}

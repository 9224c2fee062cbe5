// The agents enrolled for the environment (one normally; more after re-enrolments), with revoke and
// credential rotation for people who manage agents.
import { Badge, Button, Group, Modal, Paper, Table, Text, Title } from '@mantine/core';
import type { Agent, Environment, JoinToken } from '@capstan/protocol';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { JoinCommandPanel } from './JoinCommandPanel.tsx';

/** The environment's agents and their credentials. */
export function AgentsTable({ env, now }: { env: Environment; now: number }) {
  const session = useSession();
  const manage = session.can('agents.manage', env);
  const agents = useApi('GET /api/environments/:id/agents', { params: { id: env.id } });
  const invalidate = [['GET /api/environments/:id/agents'], ['GET /api/environments/:id/status']];
  const [confirm, setConfirm] = useState<{ agent: Agent; action: 'revoke' | 'rotate' } | null>(null);
  const [rotated, setRotated] = useState<JoinToken | null>(null);
  const done = (): void => setConfirm(null);
  const revoke = useApiMutation('POST /api/agents/:id/revoke', { invalidate, onSuccess: done });
  const rotate = useApiMutation('POST /api/agents/:id/rotate', {
    invalidate,
    onSuccess: (token) => {
      done();
      setRotated(token);
    },
  });
  const pending = confirm?.action === 'rotate' ? rotate : revoke;
  const items = agents.data?.items ?? [];
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Agents
      </Title>
      <ProblemAlert error={agents.error} />
      {agents.isPending && <Loading />}
      {agents.data && items.length === 0 && <Text c="dimmed">No agent has enrolled yet.</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Host</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Table.Th>State</Table.Th>
                {manage && <Table.Th>Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{a.hostname}</Table.Td>
                  <Table.Td>{a.agentVersion}</Table.Td>
                  <Table.Td maw={200}>
                    <Text size="xs" ff="monospace" truncate="end" title={a.fingerprint ?? undefined}>
                      {a.fingerprint ?? 'awaiting re-enrolment'} (v{a.credentialVersion})
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" title={a.lastSeenAt ? formatTime(a.lastSeenAt) : undefined}>
                      {a.lastSeenAt ? formatAgo(a.lastSeenAt, now) : 'never'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {a.revokedAt ? (
                      <Badge color="red" variant="light" title={formatTime(a.revokedAt)}>
                        revoked
                      </Badge>
                    ) : (
                      <Badge color="teal" variant="light">
                        active
                      </Badge>
                    )}
                  </Table.Td>
                  {manage && (
                    <Table.Td>
                      {!a.revokedAt && (
                        <Group gap={4} wrap="nowrap">
                          <Button size="compact-xs" variant="light" aria-label={`Rotate credentials of ${a.hostname}`} onClick={() => setConfirm({ agent: a, action: 'rotate' })}>
                            Rotate
                          </Button>
                          <Button size="compact-xs" variant="light" color="red" aria-label={`Revoke ${a.hostname}`} onClick={() => setConfirm({ agent: a, action: 'revoke' })}>
                            Revoke
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmModal
        opened={confirm !== null}
        onClose={() => {
          done();
          revoke.reset();
          rotate.reset();
        }}
        title={confirm?.action === 'rotate' ? `Rotate the key of ${confirm.agent.hostname}?` : `Revoke the agent on ${confirm?.agent.hostname ?? ''}?`}
        confirmLabel={confirm?.action === 'rotate' ? 'Rotate' : 'Revoke'}
        onConfirm={() => {
          if (confirm?.action === 'rotate') rotate.mutate({ params: { id: confirm.agent.id }, body: {} });
          else if (confirm) revoke.mutate({ params: { id: confirm.agent.id } });
        }}
        loading={pending.isPending}
        error={pending.error}
      >
        <Text size="sm">
          {confirm?.action === 'rotate'
            ? 'The current key stops working now and the agent disconnects. You get a join command that enrols a new key for the same agent.'
            : 'Its connection is closed and its key refused from now on. The host rejoins only with a new join command.'}
        </Text>
      </ConfirmModal>
      <Modal opened={rotated !== null} onClose={() => setRotated(null)} title="Re-enrol the agent" size="xl">
        <Text size="sm" mb="sm">
          The agent&apos;s key is retired. Run this on the host to enrol a new key; until then the agent stays disconnected.
        </Text>
        {rotated && <JoinCommandPanel token={rotated} />}
      </Modal>
    </Paper>
  );
}

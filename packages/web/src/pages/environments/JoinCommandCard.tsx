import { Button, Paper, Stack, Text, Title } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { useApi } from '../../api/query.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { JoinCommandPanel } from './JoinCommandPanel.tsx';
import { useJoinToken } from './useJoinToken.ts';

/** Makes a join command for connecting a host; with an active agent, says to revoke or rotate it first. */
export function JoinCommandCard({ env }: { env: Environment }) {
  const join = useJoinToken(env.id);
  const agents = useApi('GET /api/environments/:id/agents', { params: { id: env.id } });
  // The server refuses a second agent for one environment: a new host needs the old agent revoked.
  const active = (agents.data?.items ?? []).find((a) => a.revokedAt === null);
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        Join command
      </Title>
      <Stack gap="sm">
        {active && !join.token ? (
          <Text size="sm" c="dimmed">
            The agent on {active.hostname} holds this environment. To move it to another host, revoke that agent below first; to give the same agent a new key, rotate
            it.
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            Run a join command on the host to connect it. Each command works once.
          </Text>
        )}
        {join.token ? (
          <JoinCommandPanel token={join.token} onRegenerate={join.generate} regenerating={join.pending} />
        ) : (
          !active &&
          agents.data && (
            <Button onClick={join.generate} loading={join.pending} style={{ alignSelf: 'flex-start' }}>
              New join command
            </Button>
          )
        )}
        <ProblemAlert error={join.error} />
      </Stack>
    </Paper>
  );
}

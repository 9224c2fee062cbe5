import { Alert, Button, Stack, Text } from '@mantine/core';
import type { EnvironmentStatusView, JoinToken } from '@capstan/protocol';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { AgentWait } from './AgentWait.tsx';
import { JoinCommandPanel } from './JoinCommandPanel.tsx';
import { useJoinToken } from './useJoinToken.ts';

/** Step 2 of the wizard: the join command to run on the host, then the live wait for its agent. */
export function JoinStep({
  env,
  initialToken,
  initialError,
  status,
}: {
  env: { id: number; groupId: number | null; mode: 'standard' | 'async' };
  initialToken: JoinToken | null;
  initialError: unknown;
  status: EnvironmentStatusView | undefined;
}) {
  const join = useJoinToken(env.id, initialToken);
  const up = status?.status === 'up';
  return (
    <Stack maw={880}>
      {!up && join.token && <JoinCommandPanel token={join.token} onRegenerate={join.generate} regenerating={join.pending} />}
      {!up && !join.token && (
        <Alert variant="light" title="No join command on this page">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">A join command is shown once, when it is made. Make one to connect this host.</Text>
            <Guarded permission="agents.manage" env={env}>
              <Button size="xs" onClick={join.generate} loading={join.pending}>
                Generate a join command
              </Button>
            </Guarded>
          </Stack>
        </Alert>
      )}
      <ProblemAlert error={join.error ?? (join.token ? null : initialError)} title="No join command" />
      <AgentWait environmentId={env.id} status={status} mode={env.mode} />
    </Stack>
  );
}

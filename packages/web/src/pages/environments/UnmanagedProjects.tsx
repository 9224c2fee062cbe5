import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { Environment, SnapshotComposeProject } from '@capstan/protocol';
import { useNavigate } from 'react-router';
import { useApiMutation } from '../../api/query.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

/** Compose projects running on the host that no stack manages yet, each with an Adopt action. */
export function UnmanagedProjects({ env, projects }: { env: Environment; projects: SnapshotComposeProject[] }) {
  const navigate = useNavigate();
  const adopt = useApiMutation('POST /api/environments/:id/stacks/adopt', {
    invalidate: [['GET /api/stacks']],
    onSuccess: (stack) => void navigate(`/stacks/${stack.id}`),
  });
  if (projects.length === 0) return null;
  return (
    <Stack gap="xs" mt="lg">
      <Title order={4}>Compose projects not managed by Capstan</Title>
      <Text size="sm" c="dimmed">
        Started outside Capstan (docker compose on the host). Adopting one records its running state as version 1 of a new stack.
      </Text>
      <ProblemAlert error={adopt.error} title="Adoption failed" />
      {projects.map((p) => (
        <Paper key={p.name} withBorder p="sm">
          <Group justify="space-between" wrap="wrap">
            <Stack gap={0}>
              <Text fw={500}>{p.name}</Text>
              <Text size="xs" c="dimmed">
                {p.services.join(', ') || 'no services'} · {p.running} of {p.containers} running{p.workingDir ? ` · ${p.workingDir}` : ''}
              </Text>
            </Stack>
            <Guarded permission="stacks.deploy" env={env}>
              <Button
                size="xs"
                variant="light"
                aria-label={`Adopt ${p.name}`}
                loading={adopt.isPending && adopt.variables.body.projectName === p.name}
                onClick={() => adopt.mutate({ params: { id: env.id }, body: { projectName: p.name } })}
              >
                Adopt
              </Button>
            </Guarded>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}

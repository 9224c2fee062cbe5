import { SimpleGrid, Stack } from '@mantine/core';
import type { Environment } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { AgentStatusCard } from './AgentStatusCard.tsx';
import { AgentsTable } from './AgentsTable.tsx';
import { DeleteEnvironment } from './DeleteEnvironment.tsx';
import { EnvironmentSettings } from './EnvironmentSettings.tsx';
import { JoinCommandCard } from './JoinCommandCard.tsx';

/** The agent's connection and credentials, and the environment's settings (each part for those allowed). */
export function AgentTab({ env, now }: { env: Environment; now: number }) {
  const session = useSession();
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <AgentStatusCard env={env} now={now} />
        {session.can('agents.manage', env) && <JoinCommandCard env={env} />}
      </SimpleGrid>
      <AgentsTable env={env} now={now} />
      {session.can('environment.update', env) && <EnvironmentSettings key={env.id} env={env} />}
      {session.can('environment.delete', env) && <DeleteEnvironment env={env} />}
    </Stack>
  );
}

// The server's version for everyone; for administrators, where the API description and the
// Prometheus metrics are. Server settings are start-up flags and variables, not editable here.
import { Anchor, SimpleGrid, Text } from '@mantine/core';
import { useApi } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { Fact, Section } from './Section.tsx';

/** The "Server" block. */
export function ServerSection() {
  const session = useSession();
  const { me } = session;
  const health = useApi('GET /api/health', undefined, { staleTime: 60_000 });
  return (
    <Section title="Server">
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        <Fact label="Version">{health.data?.version ?? (health.error ? 'unknown' : '…')}</Fact>
        {me.user.isAdmin && (
          <Fact label="API description">
            <Anchor href="/api/openapi.json" target="_blank" rel="noreferrer" ff="monospace" size="sm">
              /api/openapi.json
            </Anchor>
          </Fact>
        )}
        {session.can('system.metrics') && (
          <Fact label="Prometheus metrics">
            <Anchor href="/metrics" target="_blank" rel="noreferrer" ff="monospace" size="sm">
              /metrics
            </Anchor>
          </Fact>
        )}
      </SimpleGrid>
      {me.user.isAdmin && (
        <Text size="sm" c="dimmed">
          Server settings (listen address, database, TLS, agent options) are set by command-line flags or CAPSTAN_* environment variables when the server starts; they are not changed from the web.
        </Text>
      )}
    </Section>
  );
}

// How the person is signed in and the roles they hold (directly or through teams), read-only.
import { Badge, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { ROLES, type RoleName } from '@capstan/protocol';
import { useSession } from '../../auth/session.tsx';
import { useScopes } from '../access/useScopes.ts';
import { Fact, Section } from './Section.tsx';

function RoleLine({ where, roles }: { where: string; roles: RoleName[] }) {
  return (
    <Group gap={6} wrap="wrap">
      <Text size="sm">{where}:</Text>
      {roles.map((r) => (
        <Badge key={r} variant="light" tt="none">
          {ROLES[r].displayName}
        </Badge>
      ))}
    </Group>
  );
}

/** The "Session" block. */
export function SessionSection() {
  const { me } = useSession();
  const scopes = useScopes();
  const none = me.environmentRoles.length === 0 && me.groupRoles.length === 0;
  return (
    <Section title="Session" description="How this browser is signed in. Roles are granted by administrators in Roles & access.">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Fact label="Signed in with">{me.authMethod === 'session' ? 'Password (browser session)' : 'API key'}</Fact>
        <Fact label="Access">{me.readOnly ? 'Read-only' : 'Read and change'}</Fact>
      </SimpleGrid>
      <Stack gap={6}>
        <Text size="xs" c="dimmed">
          Roles
        </Text>
        {me.user.isAdmin && <Text size="sm">Administrator: every permission on every environment.</Text>}
        {!me.user.isAdmin && none && <Text size="sm">No roles yet: ask an administrator for access to an environment.</Text>}
        {me.environmentRoles.map((r) => (
          <RoleLine key={`e${r.environmentId}`} where={`Environment ${scopes.envName(r.environmentId)}`} roles={r.roles} />
        ))}
        {me.groupRoles.map((r) => (
          <RoleLine key={`g${r.groupId}`} where={`Group ${scopes.groupName(r.groupId)}`} roles={r.roles} />
        ))}
      </Stack>
    </Section>
  );
}

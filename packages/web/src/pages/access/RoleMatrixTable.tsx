// Roles × permissions: which role allows what on an environment (or on every environment of a group).
import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, ThemeIcon, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconCheck, IconMinus } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useApi } from '../../api/query.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { adminOnlyPermissions, buildRoleMatrix, type MatrixRole, type MatrixRow } from './roleMatrix.ts';

function Cell({ granted, role, permission }: { granted: boolean; role: string; permission: string }) {
  return (
    <Table.Td ta="center">
      {granted ? (
        <ThemeIcon size="sm" radius="xl" color="teal" variant="light" aria-label={`${role} may ${permission}`}>
          <IconCheck size={14} />
        </ThemeIcon>
      ) : (
        <>
          <IconMinus size={14} color="var(--mantine-color-dimmed)" aria-hidden />
          <VisuallyHidden>{`${role} may not ${permission}`}</VisuallyHidden>
        </>
      )}
    </Table.Td>
  );
}

function Row({ row, roles }: { row: MatrixRow; roles: MatrixRole[] }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" fw="normal">
        <Tooltip label={row.description} multiline w={280} withArrow position="right">
          <Group gap={6} wrap="nowrap">
            <Text ff="monospace" size="sm">
              {row.permission}
            </Text>
            {row.mutating && (
              <Badge size="xs" variant="outline" color="orange">
                change
              </Badge>
            )}
          </Group>
        </Tooltip>
        <Text size="xs" c="dimmed">
          {row.description}
        </Text>
      </Table.Th>
      {row.granted.map((g, i) => (
        <Cell key={roles[i]?.name ?? i} granted={g} role={roles[i]?.displayName ?? ''} permission={row.permission} />
      ))}
    </Table.Tr>
  );
}

/** The role catalogue: a card per role, then the permission matrix. */
export function RoleMatrixTable() {
  const roles = useApi('GET /api/roles', undefined, { staleTime: Infinity });
  const matrix = useMemo(() => (roles.data ? buildRoleMatrix(roles.data) : null), [roles.data]);
  if (roles.error) return <ProblemAlert error={roles.error} title="Roles could not be loaded" />;
  if (!matrix || !roles.data) return <Loading label="Loading roles" />;
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {matrix.roles.map((r) => (
          <Card key={r.name} withBorder padding="sm">
            <Text fw={600}>{r.displayName}</Text>
            <Text size="xs" ff="monospace" c="dimmed">
              {r.name}
            </Text>
            <Text size="sm" mt={4}>
              {r.description}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={760}>
        <Table striped withTableBorder stickyHeader aria-label="Permissions of each role">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Permission</Table.Th>
              {matrix.roles.map((r) => (
                <Table.Th key={r.name} ta="center">
                  {r.displayName}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {matrix.rows.map((row) => (
              <Row key={row.permission} row={row} roles={matrix.roles} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="sm" c="dimmed">
        A role granted on a group applies to every environment of the group; several roles add up. Administrators hold every permission, including these
        instance-wide ones no role grants: {adminOnlyPermissions(roles.data).join(', ')}.
      </Text>
    </Stack>
  );
}

import { IconAction } from '../../components/IconAction.tsx';
import { Badge, Button, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { Registry } from '@capstan/protocol';
import { IconPencil, IconPlugConnected, IconTrash } from '@tabler/icons-react';
import { formatAgo, formatTime } from '../../components/time.ts';
import type { Scopes } from '../access/useScopes.ts';
import type { LastCheck } from './lastChecks.ts';
import { registryKind } from './registryKind.ts';

function ScopeCell({ scope, scopes }: { scope: Registry['scope']; scopes: Scopes }) {
  if (scope === null) return <Badge variant="light" color="gray" tt="none">Every environment</Badge>;
  const names = [...scope.environmentIds.map(scopes.envName), ...scope.groupIds.map((id) => `group ${scopes.groupName(id)}`)];
  if (names.length === 0) return <Badge color="yellow" variant="light" tt="none">No environment</Badge>;
  return (
    <Group gap={4} wrap="wrap">
      {names.map((n) => (
        <Badge key={n} variant="outline" tt="none" size="sm">
          {n}
        </Badge>
      ))}
    </Group>
  );
}

function CheckCell({ check }: { check: LastCheck | undefined }) {
  if (!check) return <Text size="sm" c="dimmed">Never checked</Text>;
  return (
    <Tooltip label={`${formatTime(check.at)}: ${check.detail}`}>
      <Badge color={check.ok ? 'teal' : 'red'} variant="light" tt="none">
        {check.ok ? 'OK' : 'Failed'} · {formatAgo(check.at)}
      </Badge>
    </Tooltip>
  );
}

export interface RegistryTableProps {
  registries: Registry[];
  scopes: Scopes;
  checks: ReadonlyMap<number, LastCheck>;
  /** Whether to show the test, edit and delete actions (registries.manage). */
  manage: boolean;
  testing: number | null;
  onTest: (r: Registry) => void;
  onEdit: (r: Registry) => void;
  onDelete: (r: Registry) => void;
}

/** The registries with their address, credentials user, scope and last check. */
export function RegistryTable({ registries, scopes, checks, manage, testing, onTest, onEdit, onDelete }: RegistryTableProps) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Address</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Username</Table.Th>
            <Table.Th>Used by</Table.Th>
            <Table.Th>Last check</Table.Th>
            {manage && (
              <Table.Th w={170}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {registries.map((r) => (
            <Table.Tr key={r.id} data-testid="registry-row">
              <Table.Td fw={500}>{r.name}</Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" ff="monospace">
                    {r.host}
                  </Text>
                  {r.insecure && (
                    <Tooltip label="Plain HTTP or unverified TLS">
                      <Badge size="xs" color="orange" variant="light">
                        insecure
                      </Badge>
                    </Tooltip>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{registryKind(r.host)}</Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {r.username}
                </Text>
              </Table.Td>
              <Table.Td>
                <ScopeCell scope={r.scope} scopes={scopes} />
              </Table.Td>
              <Table.Td>
                <CheckCell check={checks.get(r.id)} />
              </Table.Td>
              {manage && (
                <Table.Td>
                  <Group gap={4} justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="light" leftSection={<IconPlugConnected size={14} />} loading={testing === r.id} onClick={() => onTest(r)} aria-label={`Test ${r.name}`}>
                      Test
                    </Button>
                    <IconAction tooltip="Edit" label={`Edit ${r.name}`} icon={<IconPencil size={16} />} onClick={() => onEdit(r)} />
                    <IconAction tooltip="Delete" label={`Delete ${r.name}`} color="red" icon={<IconTrash size={16} />} onClick={() => onDelete(r)} />
                  </Group>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

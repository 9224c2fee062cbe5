import { IconAction } from '../../components/IconAction.tsx';
import { Badge, Code, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { ApiKey } from '@capstan/protocol';
import { IconTrash } from '@tabler/icons-react';
import { formatAgo, formatTime } from '../../components/time.ts';
import { isExpired } from './expiry.ts';

function When({ iso, empty }: { iso: string | null; empty: string }) {
  if (!iso) return <Text size="sm" c="dimmed">{empty}</Text>;
  return (
    <Text size="sm" title={formatTime(iso)}>
      {formatAgo(iso)}
    </Text>
  );
}

/** API keys with their scope, expiry and last use; a delete button when `canDelete`. */
export function ApiKeyTable({ keys, canDelete, onDelete }: { keys: ApiKey[]; canDelete: boolean; onDelete: (k: ApiKey) => void }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>Access</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Created</Table.Th>
            {canDelete && (
              <Table.Th w={48}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k.id} data-testid="api-key-row">
              <Table.Td fw={500}>{k.name}</Table.Td>
              <Table.Td>
                <Code>{k.prefix}…</Code>
              </Table.Td>
              <Table.Td>{k.readOnly ? <Badge variant="light" color="gray">Read-only</Badge> : <Badge variant="light">Full</Badge>}</Table.Td>
              <Table.Td>
                {isExpired(k) ? (
                  <Tooltip label={`Expired ${formatTime(k.expiresAt ?? '')}`}>
                    <Badge color="red" variant="light">
                      Expired
                    </Badge>
                  </Tooltip>
                ) : (
                  <When iso={k.expiresAt} empty="Never" />
                )}
              </Table.Td>
              <Table.Td>
                <When iso={k.lastUsedAt} empty="Never used" />
              </Table.Td>
              <Table.Td>
                <When iso={k.createdAt} empty="" />
              </Table.Td>
              {canDelete && (
                <Table.Td>
                  <IconAction tooltip="Delete" label={`Delete key ${k.name}`} color="red" icon={<IconTrash size={16} />} onClick={() => onDelete(k)} />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

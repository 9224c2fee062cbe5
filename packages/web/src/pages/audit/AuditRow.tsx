// One audit record: a summary row, and when expanded, a row with every field and the details JSON.
import { ActionIcon, Anchor, Badge, Code, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import type { AuditRecord } from '@capstan/protocol';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { formatTime } from '../../components/time.ts';

const OUTCOME_COLOR: Record<AuditRecord['outcome'], string> = { success: 'teal', failure: 'red', denied: 'orange' };
const AUTH_LABEL: Record<AuditRecord['authMethod'], string> = { session: 'Session', api_key: 'API key', none: 'Not signed in' };

/** Who acted: the username, or the id when the account is gone, or "anonymous". */
export function actorOf(r: AuditRecord): string {
  return r.actorName ?? (r.actorId !== null ? `user #${r.actorId}` : 'anonymous');
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function Details({ r }: { r: AuditRecord }) {
  return (
    <Stack gap="xs" py="xs">
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs">
        <Field label="Time (UTC)">{r.at}</Field>
        <Field label="Signed in with">{AUTH_LABEL[r.authMethod]}</Field>
        <Field label="Actor ID">{r.actorId ?? '—'}</Field>
        <Field label="Record ID">
          <Text ff="monospace" size="xs">
            {r.id}
          </Text>
        </Field>
      </SimpleGrid>
      <Code block aria-label="Record details">
        {JSON.stringify(r.details, null, 2)}
      </Code>
    </Stack>
  );
}

/** A record's rows; clicking the actor or the action filters on it. */
export function AuditRow({ r, expanded, onToggle, onFilter }: { r: AuditRecord; expanded: boolean; onToggle: () => void; onFilter: (key: 'user' | 'action' | 'requestId', value: string) => void }) {
  return (
    <>
      <Table.Tr data-testid="audit-row" data-outcome={r.outcome}>
        <Table.Td>
          <ActionIcon variant="subtle" color="gray" size="sm" aria-expanded={expanded} aria-label={expanded ? 'Hide details' : 'Show details'} onClick={onToggle}>
            {expanded ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        </Table.Td>
        <Table.Td>
          <Text size="sm" title={r.at} style={{ whiteSpace: 'nowrap' }}>
            {formatTime(r.at)}
          </Text>
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {r.actorName ? (
              <Anchor component="button" type="button" size="sm" onClick={() => onFilter('user', r.actorName ?? '')} title="Show only this user">
                {actorOf(r)}
              </Anchor>
            ) : (
              <Text size="sm" c="dimmed">
                {actorOf(r)}
              </Text>
            )}
            {r.authMethod === 'api_key' && (
              <Badge size="xs" variant="outline" color="gray">
                key
              </Badge>
            )}
          </Group>
        </Table.Td>
        <Table.Td>
          <Anchor component="button" type="button" size="sm" ff="monospace" onClick={() => onFilter('action', r.action)} title="Show only this action">
            {r.action}
          </Anchor>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{r.targetType ? `${r.targetType}${r.targetId ? ` ${r.targetId}` : ''}` : '—'}</Text>
        </Table.Td>
        <Table.Td>
          <Badge color={OUTCOME_COLOR[r.outcome]} variant="light" tt="none" data-outcome={r.outcome}>
            {r.outcome} · {r.statusCode}
          </Badge>
        </Table.Td>
        <Table.Td>
          <Text size="sm" ff="monospace">
            {r.sourceIp}
          </Text>
        </Table.Td>
        <Table.Td>
          <Anchor component="button" type="button" size="xs" ff="monospace" onClick={() => onFilter('requestId', r.requestId)} title={`Show only request ${r.requestId}`}>
            {r.requestId.length > 12 ? `${r.requestId.slice(0, 8)}…` : r.requestId}
          </Anchor>
        </Table.Td>
      </Table.Tr>
      {expanded && (
        <Table.Tr>
          <Table.Td colSpan={8}>
            <Details r={r} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

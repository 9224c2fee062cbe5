import { Alert, Code, SimpleGrid, Stack, Text, Tooltip } from '@mantine/core';
import type { GitSource } from '@capstan/protocol';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { CopyField } from '../../components/CopyField.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { pollText } from './gitForm.ts';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

function When({ at }: { at: string | null }) {
  if (!at) return <Text size="sm" c="dimmed">never</Text>;
  return (
    <Tooltip label={formatTime(at)}>
      <Text size="sm" span>
        {formatAgo(at)}
      </Text>
    </Tooltip>
  );
}

const commit = (c: string | null) => (c ? <Code title={c}>{c.slice(0, 10)}</Code> : <Text size="sm" c="dimmed">none</Text>);

/** Where a Git stack comes from, its webhook URL, what was last seen and deployed, the last error. */
export function GitStatus({ source }: { source: GitSource }) {
  return (
    <Stack gap="sm">
      {source.lastError && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={`The last sync failed${source.consecutiveFailures > 1 ? ` (${source.consecutiveFailures} times in a row)` : ''}`}>
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {source.lastError}
          </Text>
          {source.lastErrorAt && (
            <Text size="xs" c="dimmed" mt={4}>
              {formatTime(source.lastErrorAt)}
            </Text>
          )}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
        <Fact label="Repository">
          <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
            {source.url}
          </Text>
        </Fact>
        <Fact label="Ref and compose file">
          <Text size="sm" ff="monospace">
            {source.ref} : {source.composePath}
          </Text>
        </Fact>
        <Fact label="Polling">
          <Text size="sm">{pollText(source.pollIntervalSeconds)}</Text>
        </Fact>
        <Fact label="Credentials">
          <Text size="sm">{source.auth.kind === 'none' ? 'none' : source.auth.kind === 'token' ? `token (user ${source.auth.username ?? '?'})` : 'SSH key'}</Text>
        </Fact>
        <Fact label="Last seen commit">
          {commit(source.lastSeenCommit)} <When at={source.lastSeenAt} />
        </Fact>
        <Fact label="Last deployed commit">
          {commit(source.lastDeployedCommit)} <When at={source.lastDeployedAt} />
        </Fact>
        <Fact label="Last fetch">
          <When at={source.lastFetchAt} />
        </Fact>
        {source.extraPaths.length > 0 && (
          <Fact label="Extra paths">
            <Text size="sm" ff="monospace">
              {source.extraPaths.join(', ')}
            </Text>
          </Fact>
        )}
      </SimpleGrid>
      {source.webhook.enabled ? <CopyField label="Webhook URL" value={`${window.location.origin}${source.webhook.path}`} /> : <Text size="sm" c="dimmed">Webhook off: changes are found by polling or “Sync now”.</Text>}
    </Stack>
  );
}

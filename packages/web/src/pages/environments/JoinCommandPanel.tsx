import { Alert, Button, SegmentedControl, Stack, Text } from '@mantine/core';
import type { JoinToken } from '@capstan/protocol';
import { IconClockExclamation } from '@tabler/icons-react';
import { useState } from 'react';
import { CopyField } from '../../components/CopyField.tsx';
import { formatAgo, formatTime } from '../../components/time.ts';
import { useNow } from './useNow.ts';

/** A join command to paste on the host (Node one-liner or `docker run`), its expiry, and a way to get a fresh one. */
export function JoinCommandPanel({ token, onRegenerate, regenerating = false }: { token: JoinToken; onRegenerate?: () => void; regenerating?: boolean }) {
  const [form, setForm] = useState<'node' | 'docker'>('node');
  const now = useNow(5_000);
  const expired = Date.parse(token.expiresAt) <= now;
  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="Command form"
        value={form}
        onChange={(v) => setForm(v === 'docker' ? 'docker' : 'node')}
        data={[
          { value: 'node', label: 'Node' },
          { value: 'docker', label: 'Docker' },
        ]}
        style={{ alignSelf: 'flex-start' }}
      />
      <Text size="sm" c="dimmed">
        {form === 'node'
          ? 'Run on the host with Node.js 20 or newer, as a user that may use the Docker socket. It downloads the agent, checks its checksum and starts it.'
          : 'Run on the host with Docker: the agent runs as the container capstan-agent, restarts with the host, and reaches the Docker socket through a mount.'}
      </Text>
      <CopyField label="Join command" value={form === 'node' ? token.command : token.dockerCommand} />
      {expired ? (
        <Alert color="yellow" variant="light" icon={<IconClockExclamation size={18} />} title="This command expired">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">Its join token stopped working {formatAgo(token.expiresAt, now)}. A host that has not joined yet needs a new one.</Text>
            {onRegenerate && (
              <Button size="xs" onClick={onRegenerate} loading={regenerating}>
                Generate a new command
              </Button>
            )}
          </Stack>
        </Alert>
      ) : (
        <Text size="xs" c="dimmed">
          Works for one host, until {formatTime(token.expiresAt)} ({formatAgo(token.expiresAt, now)}). It is shown only now: copy it before leaving this page.
        </Text>
      )}
    </Stack>
  );
}

// The Git tab: connect the stack to a repository (or change, sync, disconnect it); shows the
// webhook URL and, once, the webhook secret. Read-only users see the status only.
import { Alert, Button, Group, Modal, Paper, Stack, Text } from '@mantine/core';
import type { GitSyncResult as SyncResult } from '@capstan/protocol';
import { IconKey, IconPencil, IconPlugConnectedX, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useApi, useApiMutation } from '../../api/query.ts';
import { CopyField } from '../../components/CopyField.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { createBody, initialForm, randomSecret, updateBody } from './gitForm.ts';
import { GitSourceForm } from './GitSourceForm.tsx';
import { GitStatus } from './GitStatus.tsx';
import { GitSyncResult } from './GitSyncResult.tsx';

const STACK_READS = [['GET /api/stacks/:id/git'], ['GET /api/stacks/:id'], ['GET /api/stacks/:id/versions'], ['GET /api/stacks']];

function SecretOnce({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <Alert color="yellow" variant="light" icon={<IconKey size={18} />} title="Webhook secret: copy it now, it is not shown again" withCloseButton onClose={onClose} closeButtonLabel="Dismiss">
      <Text size="sm" mb="xs">
        Give it to the Git server with the webhook URL (GitHub, Gitea, Forgejo: “Secret”; GitLab: “Secret token”).
      </Text>
      <CopyField label="Webhook secret" value={secret} />
    </Alert>
  );
}

/** The Git tab of stack `stackId`. */
export function GitPanel({ stackId, canDeploy, connected }: { stackId: number; canDeploy: boolean; connected: boolean }) {
  const params = { id: stackId };
  // The stack's source says whether a Git source exists: no request (and no 404) for stacks without one.
  const source = useApi('GET /api/stacks/:id/git', { params }, { enabled: connected, retry: (n, err) => err.code !== 'not_found' && n < 2 });
  const [secret, setSecret] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [synced, setSynced] = useState<SyncResult | null>(null);
  const [pendingSecret, setPendingSecret] = useState(randomSecret);
  const create = useApiMutation('POST /api/stacks/:id/git', { invalidate: STACK_READS, onSuccess: (r) => setSecret(r.webhookSecret) });
  const update = useApiMutation('PATCH /api/stacks/:id/git', {
    invalidate: STACK_READS,
    onSuccess: (_, input) => {
      setEditing(false);
      if (input.body.webhookSecret) setSecret(input.body.webhookSecret);
      setPendingSecret(randomSecret());
    },
  });
  const remove = useApiMutation('DELETE /api/stacks/:id/git', { invalidate: STACK_READS, onSuccess: () => setDisconnecting(false) });
  const sync = useApiMutation('POST /api/stacks/:id/git/sync', { invalidate: STACK_READS, onSuccess: setSynced });

  if (connected && source.isPending) return <Loading label="Loading the Git source" />;
  const notConnected = !connected || source.error?.code === 'not_found';
  if (source.error && !notConnected) return <ProblemAlert error={source.error} title="The Git source could not be loaded" />;
  if (notConnected || !source.data) {
    if (!canDeploy) return <Text c="dimmed">This stack is not deployed from Git.</Text>;
    return (
      <Paper withBorder p="md">
        <Text fw={600} mb={4}>
          Deploy from Git
        </Text>
        <Text size="sm" c="dimmed" mb="md">
          The stack's compose file (and the files it names) comes from a repository; a push redeploys it when the stack's own files changed.
        </Text>
        <GitSourceForm initial={initialForm()} editing={false} submitting={create.isPending} error={create.error} onSubmit={(form) => create.mutate({ params, body: createBody(form) })} />
      </Paper>
    );
  }
  const data = source.data;
  return (
    <Stack gap="md">
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(null)} />}
      {synced && <GitSyncResult result={synced} onClose={() => setSynced(null)} />}
      <ProblemAlert error={sync.error ?? update.error} title={sync.error ? 'The sync failed' : 'The change was not saved'} />
      {editing ? (
        <Paper withBorder p="md">
          <GitSourceForm
            initial={initialForm(data)}
            editing
            submitting={update.isPending}
            error={update.error}
            onCancel={() => setEditing(false)}
            onSubmit={(form) => {
              const body = updateBody(form, data, pendingSecret);
              if (body) update.mutate({ params, body });
              else setEditing(false);
            }}
          />
        </Paper>
      ) : (
        <GitStatus source={data} />
      )}
      {canDeploy && !editing && (
        <Group gap="xs" wrap="wrap">
          <Button leftSection={<IconRefresh size={16} />} loading={sync.isPending && !sync.variables.body.redeploy} onClick={() => sync.mutate({ params, body: { redeploy: false } })}>
            Sync now
          </Button>
          <Button variant="default" loading={sync.isPending && sync.variables.body.redeploy === true} onClick={() => sync.mutate({ params, body: { redeploy: true } })}>
            Sync and redeploy
          </Button>
          <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)}>
            Edit
          </Button>
          {data.webhook.enabled && (
            <Button variant="default" leftSection={<IconKey size={16} />} loading={update.isPending} onClick={() => update.mutate({ params, body: { webhookSecret: pendingSecret } })}>
              New webhook secret
            </Button>
          )}
          <Button variant="subtle" color="red" leftSection={<IconPlugConnectedX size={16} />} onClick={() => setDisconnecting(true)}>
            Disconnect
          </Button>
        </Group>
      )}
      <Modal opened={disconnecting} onClose={() => setDisconnecting(false)} title="Disconnect from Git?">
        <Stack gap="sm">
          <Text size="sm">The stack, its versions and its containers stay; pushes no longer redeploy it.</Text>
          <ProblemAlert error={remove.error} title="The stack was not disconnected" />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDisconnecting(false)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate({ params })}>
              Disconnect
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

import { Button, Group } from '@mantine/core';
import type { Command, Environment } from '@capstan/protocol';
import { useApiMutation } from '../../api/query.ts';
import { useSession } from '../../auth/session.tsx';
import { canCancel, canRetry, permissionForKind } from './command-kinds.ts';

/** Cancel (queued commands) and Retry (failed or expired ones), for people allowed to queue the kind. */
export function CommandActions({ env, command, onError }: { env: Environment; command: Command; onError: (e: unknown) => void }) {
  const session = useSession();
  const invalidate = [['GET /api/environments/:id/commands'], ['GET /api/environments']];
  const cancel = useApiMutation('POST /api/environments/:id/commands/:commandId/cancel', { invalidate });
  const retry = useApiMutation('POST /api/environments/:id/commands/:commandId/retry', { invalidate });
  if (!session.can(permissionForKind(command.kind), env)) return null;
  const params = { id: env.id, commandId: command.id };
  return (
    <Group gap={4} wrap="nowrap">
      {canCancel(command.status) && (
        <Button size="compact-xs" variant="light" color="red" aria-label={`Cancel command ${command.seq}`} loading={cancel.isPending} onClick={() => cancel.mutate({ params }, { onError })}>
          Cancel
        </Button>
      )}
      {canRetry(command.kind, command.status) && (
        <Button size="compact-xs" variant="light" aria-label={`Retry command ${command.seq}`} loading={retry.isPending} onClick={() => retry.mutate({ params }, { onError })}>
          Retry
        </Button>
      )}
    </Group>
  );
}

// Start / Stop / Restart / Remove for one container: only the actions its state allows and the
// person's roles permit (others are not shown at all). Removal asks first.
import { ActionIcon, Button, Checkbox, Group, Text, Tooltip } from '@mantine/core';
import type { EnqueueCommand, SnapshotContainer } from '@capstan/protocol';
import { IconPlayerPlay, IconPlayerStop, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import type { EnvironmentScope } from '../../auth/permissions.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmModal } from '../../components/ConfirmModal.tsx';
import { ACTION_LABEL, ACTION_PERMISSION, availableActions, commandFor, removalNeedsForce, type ContainerAction } from './container-actions.ts';
import { containerName } from './container-format.ts';

const ICON: Record<ContainerAction, ReactNode> = {
  start: <IconPlayerPlay size={16} />,
  stop: <IconPlayerStop size={16} />,
  restart: <IconRefresh size={16} />,
  remove: <IconTrash size={16} />,
};
const COLOR: Record<ContainerAction, string> = { start: 'teal', stop: 'gray', restart: 'blue', remove: 'red' };

/** The allowed actions as icon buttons (tables) or labelled buttons (the detail page header). */
export function ContainerActions({
  env,
  container,
  run,
  busy = false,
  variant = 'icons',
}: {
  env: EnvironmentScope;
  container: SnapshotContainer;
  run: (spec: EnqueueCommand, label: string) => void;
  busy?: boolean;
  variant?: 'icons' | 'buttons';
}) {
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const [removeVolumes, setRemoveVolumes] = useState(false);
  const name = containerName(container.name);
  const actions = availableActions(container.state).filter((a) => session.can(ACTION_PERMISSION[a], env));
  if (actions.length === 0) return null;
  const trigger = (action: ContainerAction): void => {
    if (action === 'remove') setConfirming(true);
    else run(commandFor(action, container), `${ACTION_LABEL[action]} ${name}`);
  };
  return (
    <Group gap={4} wrap="nowrap">
      {actions.map((action) =>
        variant === 'icons' ? (
          <Tooltip key={action} label={ACTION_LABEL[action]} withArrow>
            <ActionIcon variant="subtle" color={COLOR[action]} aria-label={`${ACTION_LABEL[action]} ${name}`} onClick={() => trigger(action)} disabled={busy}>
              {ICON[action]}
            </ActionIcon>
          </Tooltip>
        ) : (
          <Button key={action} variant="light" color={COLOR[action]} leftSection={ICON[action]} aria-label={`${ACTION_LABEL[action]} ${name}`} onClick={() => trigger(action)} disabled={busy}>
            {ACTION_LABEL[action]}
          </Button>
        ),
      )}
      <ConfirmModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Remove ${name}?`}
        confirmLabel="Remove"
        onConfirm={() => {
          run(commandFor('remove', container, { removeVolumes }), `Remove ${name}`);
          setConfirming(false);
        }}
      >
        <Text size="sm">
          The container and its writable layer are deleted. {removalNeedsForce(container.state) ? 'It is running: it is killed first.' : ''}
          {container.composeProject ? ` It belongs to the compose project ${container.composeProject}; the next deploy of that stack recreates it.` : ''}
        </Text>
        <Checkbox label="Also remove its anonymous volumes" checked={removeVolumes} onChange={(e) => setRemoveVolumes(e.currentTarget.checked)} />
      </ConfirmModal>
    </Group>
  );
}

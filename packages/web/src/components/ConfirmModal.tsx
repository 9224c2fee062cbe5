// The one confirmation dialog of the app: says what will happen, optionally asks
// the person to type a name (for deletions that cannot be undone), shows the server's refusal.
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { ProblemAlert } from './ProblemAlert.tsx';

export interface ConfirmModalProps {
  opened: boolean;
  title: string;
  /** What will happen, in a sentence or two. */
  children: ReactNode;
  confirmLabel: string;
  /** Red for destructive actions (the default), the primary colour otherwise. */
  color?: string;
  /** When set, the confirm button stays disabled until this exact text is typed. */
  typeToConfirm?: string;
  loading?: boolean;
  /** Keeps the confirm button disabled (e.g. until a choice in `children` is made). */
  confirmDisabled?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** A modal asking "are you sure?" before a change; the caller runs the mutation in `onConfirm`. */
export function ConfirmModal(props: ConfirmModalProps) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title} centered>
      {/* Mounted only while open, so the typed text starts empty each time. */}
      {props.opened && <ConfirmBody {...props} />}
    </Modal>
  );
}

function ConfirmBody({ children, confirmLabel, color = 'red', typeToConfirm, loading, confirmDisabled = false, error, onConfirm, onClose }: ConfirmModalProps) {
  const [typed, setTyped] = useState('');
  const blocked = confirmDisabled || (typeToConfirm !== undefined && typed !== typeToConfirm);
  return (
    <Stack>
      <Text size="sm" component="div">
        {children}
      </Text>
      {typeToConfirm !== undefined && (
        <TextInput
          label={`Type ${typeToConfirm} to confirm`}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          autoComplete="off"
          data-autofocus
        />
      )}
      <ProblemAlert error={error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color={color} onClick={onConfirm} loading={loading} disabled={blocked}>
          {confirmLabel}
        </Button>
      </Group>
    </Stack>
  );
}

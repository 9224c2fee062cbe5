import { ActionIcon, Tooltip, type ActionIconProps } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A small icon button for a row or list action (edit, delete, remove): the tooltip names the action,
 * `label` says what it acts on for screen readers ("Delete registry ghcr").
 */
export function IconAction({ tooltip, label, icon, onClick, color = 'gray', ...style }: { tooltip: string; label: string; icon: ReactNode; onClick: () => void; color?: string } & Pick<ActionIconProps, 'mt' | 'mb'>) {
  return (
    <Tooltip label={tooltip} withArrow>
      <ActionIcon variant="subtle" color={color} aria-label={label} onClick={onClick} {...style}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );
}

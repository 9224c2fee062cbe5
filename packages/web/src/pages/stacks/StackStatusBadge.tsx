import { Badge, type BadgeProps } from '@mantine/core';
import { statusColor } from './stackStatus.ts';

// Table layout can round a badge 1 px narrower than its text; the label then must not clip.
const NO_CLIP = { label: { overflow: 'visible', textOverflow: 'clip' } } as const;

/** A stack or version status as a coloured badge; its text is the status itself (e.g. rolled_back). */
export function StackStatusBadge({ status, ...props }: { status: string } & Omit<BadgeProps, 'color' | 'children'> & { 'data-testid'?: string }) {
  return (
    <Badge color={statusColor(status)} variant={status === 'deployed' ? 'filled' : 'light'} data-status={status} tt="none" miw="fit-content" styles={NO_CLIP} {...props}>
      {status}
    </Badge>
  );
}
